"""Turn the one-folder bundle into a .deb for 信创 desktops (UOS, Kylin) and Debian.

    python resources/packaging/build_deb.py dist/SafeCredit-VERSION [--check]

The package puts the bundle in /opt/safecredit, `safecredit` and `safecredit-desktop`
on the PATH (small scripts in /usr/bin), a menu entry with its icon, and nothing else:
each user's database, backups and settings stay in that user's own data folder
(platformdirs), so removing the package leaves people's data alone and removes every
file the package installed. The bundle carries its Python and Qt, so the package
depends only on the system libraries Qt's xcb platform loads, and on a C library at
least as new as the build machine's (a bundle runs only on a glibc as old as the one it
was built on or newer: build on the oldest system you support).

`--check` (as root, with dpkg): install the package, run the bundle smoke test on the
installed copy and through the PATH, remove it and make sure nothing is left.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "safecredit"
PREFIX = Path("opt") / PACKAGE
# Libraries Qt's xcb platform and OpenGL loader need from the system (Debian names, the
# same on UOS and Kylin).
SYSTEM_LIBRARIES = (
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libfreetype6",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xinerama0",
    "libxcb-xfixes0",
    "libxcb-xkb1",
    "libdbus-1-3",
)
LAUNCHER = """#!/bin/sh
exec /{prefix}/{name} "$@"
"""
POSTINST = """#!/bin/sh
set -e
if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q /usr/share/applications || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
fi
exit 0
"""


def version_of(bundle: Path) -> str:
    return bundle.name.removeprefix("SafeCredit-")


def glibc_version() -> str:
    name, version = platform.libc_ver()
    if name != "glibc" or not version:
        raise SystemExit("只能在使用 glibc 的 Linux 上制作 .deb")
    return version


def debian_architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


def installed_size_kib(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) // 1024 + 1


def control_text(version: str, arch: str, size_kib: int) -> str:
    depends = ", ".join((f"libc6 (>= {glibc_version()})", *SYSTEM_LIBRARIES))
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {version}\n"
        "Section: misc\n"
        "Priority: optional\n"
        f"Architecture: {arch}\n"
        f"Installed-Size: {size_kib}\n"
        f"Depends: {depends}\n"
        "Maintainer: SafeCredit <safecredit@localhost>\n"
        "Description: 安全生产信用分级分类监管系统（单机版）\n"
        " Register of supervised enterprises, credit grading A-D by the jurisdiction's\n"
        " rules, inspection planning, random inspections and official documents for\n"
        " county emergency-management bureaus. Works offline.\n"
    )


def build(bundle: Path, out_dir: Path) -> Path:
    if not (bundle / "safecredit").is_file():
        raise SystemExit(f"没有找到安装包目录：{bundle}（先运行 make dist）")
    version, arch = version_of(bundle), debian_architecture()
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "tree"
        shutil.copytree(bundle, tree / PREFIX, symlinks=True)
        bin_dir = tree / "usr" / "bin"
        bin_dir.mkdir(parents=True)
        for name in ("safecredit", "safecredit-desktop"):
            launcher = bin_dir / name
            launcher.write_text(LAUNCHER.format(prefix=PREFIX.as_posix(), name=name))
            launcher.chmod(0o755)
        apps = tree / "usr" / "share" / "applications"
        apps.mkdir(parents=True)
        shutil.copy(ROOT / "resources" / "packaging" / "safecredit.desktop", apps)
        for png in sorted((ROOT / "resources" / "icons").glob("safecredit-*.png")):
            size = png.stem.split("-")[-1]
            target = tree / "usr" / "share" / "icons" / "hicolor" / f"{size}x{size}" / "apps"
            target.mkdir(parents=True)
            shutil.copy(png, target / "safecredit.png")
        debian = tree / "DEBIAN"
        debian.mkdir()
        (debian / "control").write_text(
            control_text(version, arch, installed_size_kib(tree)), encoding="utf-8"
        )
        for script in ("postinst", "postrm"):
            (debian / script).write_text(POSTINST)
            (debian / script).chmod(0o755)
        for path in tree.rglob("*"):  # root-owned, world-readable, as a package should be
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
        out_dir.mkdir(parents=True, exist_ok=True)
        deb = out_dir / f"{PACKAGE}_{version}_{arch}.deb"
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(tree), str(deb)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return deb


def check(deb: Path) -> None:
    """Install, smoke-test, remove; fail loudly at the first thing that is wrong."""
    if os.geteuid() != 0:
        raise SystemExit("检查 .deb 需要 root（dpkg -i）")
    subprocess.run(["dpkg", "-i", str(deb)], check=True, stdout=subprocess.DEVNULL)
    try:
        for name in ("safecredit", "safecredit-desktop"):
            assert shutil.which(name) == f"/usr/bin/{name}", f"{name} 不在 PATH 上"
        assert Path("/usr/share/applications/safecredit.desktop").is_file()
        assert Path("/usr/share/icons/hicolor/256x256/apps/safecredit.png").is_file()
        version = subprocess.run(
            ["safecredit", "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
        print(f"已安装：{version}")
        subprocess.run(
            [sys.executable, str(ROOT / "tests" / "bundle_smoke.py"), f"/{PREFIX.as_posix()}"],
            check=True,
        )
        listed = subprocess.run(
            ["dpkg", "-L", PACKAGE], capture_output=True, text=True, check=True
        ).stdout.split()
    finally:
        subprocess.run(["dpkg", "-r", PACKAGE], check=True, stdout=subprocess.DEVNULL)
    left = [p for p in listed if Path(p).is_file() or Path(p).is_symlink()]
    left = [
        p
        for p in left
        if p.startswith(("/opt/safecredit", "/usr/bin/safecredit")) or "safecredit" in Path(p).name
    ]
    assert not left, f"卸载后仍有文件：{left[:5]}"
    assert not Path("/opt/safecredit").exists(), "卸载后 /opt/safecredit 仍在"
    print("安装、运行、卸载均正常。")


def main() -> int:
    parser = argparse.ArgumentParser(description="把 make dist 的安装包目录做成 .deb")
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--check", action="store_true", help="安装、冒烟测试、卸载")
    args = parser.parse_args()
    deb = build(args.bundle, args.out)
    print(f"已生成：{deb}（{deb.stat().st_size / 1_048_576:.0f} MB）")
    if args.check:
        check(deb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
