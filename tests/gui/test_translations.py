"""The window's words go through Qt's translation machinery: every ``tr`` string of the
gui package is in ``resources/i18n/safecredit_zh_CN.ts`` (``make translations`` was run
after the last new text), the .qm files are compiled from the .ts files, ``tr`` only
gets literal strings (an f-string cannot be looked up), and start-up loads them all."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication

from safecredit_desktop.core.paths import resources_dir
from safecredit_desktop.gui import app as gui_app

GUI = Path(gui_app.__file__).parent
I18N = resources_dir() / "i18n"
NOOPS = ("QT_TR_NOOP", "QT_TRANSLATE_NOOP")
# Translation plumbing, not window text: each wrapper's callers pass literals.
#   errors._tr: the error handler's sentences, in the "errors" context;
#   operations._title: an ``@operation(title=…)`` literal in its owner's context.
PLUMBING = {("errors.py", "_tr"), ("operations.py", "_title")}


def _called(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _text_arg(node: ast.Call) -> ast.expr | None:
    """The argument holding the source text of a tr / translate / NOOP call, if any."""
    name = _called(node)
    if name in ("tr", "QT_TR_NOOP"):
        index = 0
    elif name == "QT_TRANSLATE_NOOP" or (
        name == "translate"
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in ("QCoreApplication", "QApplication")
    ):
        index = 1
    else:
        return None
    return node.args[index] if len(node.args) > index else None


def _calls(tree: ast.AST) -> Iterator[tuple[ast.Call, ast.expr]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            arg = _text_arg(node)
            if arg is not None:
                yield node, arg


def _literal(arg: ast.expr) -> str | None:
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _marked_constants(tree: ast.Module) -> set[str]:
    """Module-level names whose every Chinese string (dict keys aside) is marked with
    QT_TRANSLATE_NOOP / QT_TR_NOOP: lupdate collects them, so ``tr(NAME)`` or
    ``tr(NAME[key])`` finds a translation."""
    marked = set()
    for statement in tree.body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
            continue
        target, value = statement.targets[0], statement.value
        if not isinstance(target, ast.Name):
            continue
        nodes = list(ast.walk(value))
        in_noop = {
            id(a) for n in nodes if isinstance(n, ast.Call) and _called(n) in NOOPS for a in n.args
        }
        keys = {id(k) for n in nodes if isinstance(n, ast.Dict) for k in n.keys if k}
        unmarked = [
            n
            for n in nodes
            if isinstance(n, ast.Constant)
            and isinstance(n.value, str)
            and _has_chinese(n.value)
            and id(n) not in in_noop | keys
        ]
        if in_noop and not unmarked:
            marked.add(target.id)
    return marked


def _root_name(arg: ast.expr, tree: ast.Module) -> str | None:
    """NAME of ``NAME``, ``NAME[…]``, ``NAME[…][…]``, or of the iterable a
    comprehension's variable runs over."""
    while isinstance(arg, ast.Subscript):
        arg = arg.value
    if not isinstance(arg, ast.Name):
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.comprehension)
            and isinstance(node.target, ast.Name)
            and node.target.id == arg.id
            and isinstance(node.iter, ast.Name)
        ):
            return node.iter.id
    return arg.id


def _enclosing_functions(tree: ast.Module) -> dict[int, str]:
    owner: dict[int, str] = {}
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef):
            for node in ast.walk(function):
                owner.setdefault(id(node), function.name)
    return owner


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(GUI.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def source_texts() -> set[str]:
    """Every literal a tr / translate / NOOP call of the gui package gives."""
    texts = set()
    for _path, tree in _modules():
        for _call, arg in _calls(tree):
            text = _literal(arg)
            if text is not None:
                texts.add(text)
    return texts


def ts_messages(path: Path) -> dict[tuple[str, str], str]:
    """(context, source) → translation of a .ts file."""
    root = ElementTree.parse(path).getroot()
    found = {}
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            found[(name, message.findtext("source") or "")] = translation.text or ""
    return found


def test_every_tr_string_is_in_the_ts_file() -> None:
    in_ts = {source for _context, source in ts_messages(I18N / "safecredit_zh_CN.ts")}
    missing = sorted(source_texts() - in_ts)
    assert not missing, f"run make translations; not in safecredit_zh_CN.ts: {missing[:20]}"


def test_ts_files_are_translated_and_compiled(qapp: QApplication) -> None:
    for ts in sorted(I18N.glob("*.ts")):
        messages = ts_messages(ts)
        assert messages and all(messages.values()), f"{ts.name}: untranslated messages"
        translator = QTranslator()
        assert translator.load(str(ts.with_suffix(".qm"))), f"{ts.name}: no .qm"
        stale = [
            source
            for (context, source), translation in messages.items()
            if translator.translate(context, source) != translation
        ]
        assert not stale, f"run make translations; {ts.stem}.qm lacks {stale[:10]}"


def test_tr_gets_literal_strings_only() -> None:
    wrong = []
    for path, tree in _modules():
        marked = _marked_constants(tree)
        owner = _enclosing_functions(tree)
        for call, arg in _calls(tree):
            if _literal(arg) is not None:
                continue
            if (path.name, owner.get(id(call), "")) in PLUMBING:
                continue
            if _root_name(arg, tree) in marked:
                continue
            wrong.append(f"{path.relative_to(GUI)}:{call.lineno}: {ast.unparse(call)[:80]}")
    assert not wrong, "tr needs a literal (or a QT_TRANSLATE_NOOP constant):\n" + "\n".join(wrong)


def test_the_literal_check_catches_an_f_string() -> None:
    tree = ast.parse(
        "class P:\n"
        "    def f(self, n):\n"
        "        return self.tr(f'共 {n} 家'), self.tr('共 {n} 家'.format(n=n)), self.tr('好')\n"
    )
    args = [arg for _call, arg in _calls(tree)]
    assert [(_literal(a) is not None, _root_name(a, tree)) for a in args] == [
        (False, None),
        (False, None),
        (True, None),
    ]


def test_start_up_loads_qt_and_program_translations(qapp: QApplication) -> None:
    translators = gui_app.install_translations(qapp)
    try:
        files = sorted(Path(t.filePath()).name for t in translators)
        assert files == ["qt_supplement_zh_CN.qm", "qtbase_zh_CN.qm", "safecredit_zh_CN.qm"]
        assert all(not t.isEmpty() for t in translators)
        # ours are installed last, so they are looked up first
        assert qapp.translate("QFileDialog", "&Look in:") == "查找范围(&L)："
        assert qapp.translate("MainWindow", "首页") == "首页"
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def test_make_translations_fills_only_the_new_messages() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("i18n_build", I18N / "build.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    ts = (
        "<message>\n<source>甲</source>\n<translation>甲方</translation>\n</message>\n"
        "<message>\n<source>乙</source>\n"
        '<translation type="unfinished"></translation>\n</message>\n'
    )
    filled = build.fill_identity(ts)
    assert "<translation>甲方</translation>" in filled  # a translator's change is kept
    assert "<source>乙</source>\n<translation>乙</translation>" in filled
    assert "unfinished" not in filled
