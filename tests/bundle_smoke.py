"""Smoke test of the PyInstaller bundle (run by ``make dist`` after the build).

    python tests/bundle_smoke.py dist/SafeCredit-VERSION

``safecredit --version`` answers; a database is made and filled with the bundle's
CLI; a grade notice is printed and every font in it is embedded and is one of the
bundled fonts; the window opens offscreen on that database and shows every page.
Not collected by pytest (the name does not start with ``test_``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BUNDLED_FONTS = (
    "FandolSong-Bold",
    "FandolFang-Regular",
    "UMingCN",
    "WenQuanYiMicroHei",
    "HanaMinA",
    "HanaMinB",
)


def run(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"失败：{' '.join(args)}\n{done.stdout}\n{done.stderr}")
    return done.stdout


def pdf_fonts(pdf: Path) -> list[tuple[str, bool]]:
    """(name, embedded) of every font: poppler's pdffonts where it is installed, else the
    font descriptors read from the file (reportlab writes them as plain objects), so the
    same check runs on a Windows build machine without poppler."""
    if shutil.which("pdffonts"):
        rows = run("pdffonts", str(pdf)).splitlines()[2:]
        return [(line.split()[0], line.split()[-5] == "yes") for line in rows]
    data = pdf.read_bytes()
    names = set(re.findall(rb"/BaseFont\s*/([^\s/>\]]+)", data))
    embedded = set(re.findall(rb"/FontName\s*/([^\s/>\]]+)[^>]*?/FontFile2", data, re.S))
    embedded |= set(re.findall(rb"/FontFile2[^>]*?/FontName\s*/([^\s/>\]]+)", data, re.S))
    return [(n.decode(), n in embedded) for n in sorted(names)]


def main() -> int:
    bundle = Path(sys.argv[1])
    suffix = ".exe" if sys.platform == "win32" else ""
    cli, window = bundle / f"safecredit{suffix}", bundle / f"safecredit-desktop{suffix}"
    print(run(str(cli), "--version").strip())
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "smoke.db"
        run(str(cli), "--db", str(db), "init", "--profile", "suizhou", "--unit", "随州市应急管理局")
        run(str(cli), "--db", str(db), "demo", "--enterprises", "40")
        pdf = Path(folder) / "notices.pdf"
        print(
            run(
                str(cli),
                "--db",
                str(db),
                "print",
                "grade-notice",
                "--all-grade",
                "C",
                "--out",
                str(pdf),
            ).splitlines()[0]
        )
        fonts = pdf_fonts(pdf)
        assert fonts, "PDF 中没有字体"
        for name, embedded in fonts:
            assert embedded, f"字体未嵌入：{name}"
            assert any(f in name for f in BUNDLED_FONTS), f"不是随程序提供的字体：{name}"
        print(f"PDF：{len(fonts)} 种字体，均已嵌入，均为随程序提供的字体")
        # the import's planning worker is the bundle started again (freeze_support)
        book = Path(folder) / "all.xlsx"
        run(str(cli), "--db", str(db), "export", "data", str(book))
        other = Path(folder) / "other.db"
        run(str(cli), "--db", str(other), "init", "--profile", "suizhou", "--unit", "随州市")
        checker = {**os.environ, "SAFECREDIT_PASSWORD": "smoke-pass-1"}  # 执法人员 rows
        add = ("users", "add", "--role", "审核员", "checker")
        run(str(cli), "--db", str(other), *add, env=checker)
        worker_env = {**checker, "SAFECREDIT_IMPORT_WORKER": "always"}
        imported = run(
            str(cli), "--db", str(other), "--user", "checker", "import", str(book), env=worker_env
        )
        assert "导入完成" in imported, imported
        print(imported.splitlines()[0])
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "HOME": folder,
            "XDG_CONFIG_HOME": folder,
            "XDG_DATA_HOME": folder,
        }
        print(run(str(window), "--smoke-test", str(db), env=env).strip())
    print("安装包冒烟测试通过。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
