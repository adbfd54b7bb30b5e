"""argparse in Chinese: usage, section titles, -h and every usage error of ``safecredit``.

argparse looks up its messages through the module's ``_`` and ``ngettext`` (gettext)
when it builds a parser, prints help and reports an error. :func:`chinese_argparse`
puts a Chinese catalogue in their place for the duration of a ``with`` block (building
the parser and parsing the command line), and restores them after, so nothing else in
the process is affected.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CATALOGUE: dict[str, str] = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "没有命令 %(parser_name)r（可用：%(choices)s）"
    ),
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "此选项不带值，却给了 %r",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "参数 %s 须给出其中一个",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多只能有一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": (
        "选项 %(option)s 不明确，可能是 %(matches)s"
    ),
    "unexpected option string: %s": "意外的选项：%s",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的%(type)s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "无效的选择 %(value)r（可选：%(choices)s）"
    ),
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "cannot have multiple subparser arguments": "不能有多组子命令",
}

PLURALS: dict[str, str] = {"expected %s argument": "需要 %s 个值"}

TYPE_NAMES: dict[str, str] = {"int": "整数", "float": "数字", "str": "文本"}
"""argparse names a ``type=`` by its function's name in ``invalid %(type)s value``."""


def translate(message: str) -> str:
    """The Chinese of one argparse message id (unknown ids are kept as they are)."""
    return CATALOGUE.get(message, message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    found = PLURALS.get(singular)
    if found is not None:
        return found
    return singular if n == 1 else plural


def chinese_type_names(message: str) -> str:
    """``'x' 不是有效的int`` → ``'x' 不是有效的整数``."""
    for name, chinese in TYPE_NAMES.items():
        message = message.replace(f"不是有效的{name}", f"不是有效的{chinese}")
    return message


VERSION_HELP = "显示程序版本并退出"


@contextmanager
def chinese_argparse() -> Iterator[None]:
    """argparse speaks Chinese inside the block."""
    module: Any = argparse
    saved = (module._, module.ngettext)
    module._, module.ngettext = translate, translate_plural
    try:
        yield
    finally:
        module._, module.ngettext = saved
