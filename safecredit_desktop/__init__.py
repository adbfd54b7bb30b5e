"""SafeCredit Desktop: 安全生产信用分级分类监管系统（单机版）."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("safecredit-desktop")
except PackageNotFoundError:  # running from a bundle or an uninstalled checkout
    __version__ = "0.1.0"
