"""Every released schema's sample database opens, upgrades and passes `check`."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from safecredit_desktop.core import app as core
from safecredit_desktop.core.paths import install_root
from safecredit_desktop.core.storage import migrations

SAMPLES = sorted((install_root() / "db" / "samples").glob("v*.db"))


def test_a_sample_for_every_released_version() -> None:
    versions = {int(re.sub(r"\D", "", p.stem)) for p in SAMPLES}
    assert versions == set(range(1, migrations.latest_version() + 1))


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_sample_opens_and_checks(sample: Path, tmp_path: Path) -> None:
    copy = tmp_path / sample.name
    shutil.copyfile(sample, copy)
    stated = int(re.sub(r"\D", "", sample.stem))
    assert sqlite3.connect(copy).execute("PRAGMA user_version").fetchone()[0] == stated
    session = core.open_session(copy, user="测试")
    try:
        assert session.units.count() == 40
        assert session.profile.name == "fenghuang"
    finally:
        session.close()
    report = core.check_database(copy)
    assert report.ok, report.problems
    assert report.schema_version == migrations.latest_version()
    signed = core.sign_in(copy, "管理员", "sample-pw")
    signed.close()
