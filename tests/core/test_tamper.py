"""Changes made behind the program's back (another tool opening the SQLite file) are
named by ``check``: records, settings, users, workflow tables, documents, draws,
assessments, triggers, the audit log itself, its checkpoint and the heads recorded
outside the file. Each case changes one thing in a copy of a county where every table
has rows, and asserts the sentence ``check`` gives."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from tamper_county import TODAY, Facts, build, copy_database

from safecredit_desktop.core import app as core
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.storage import anchor, audit
from safecredit_desktop.core.storage.audited_tables import BY_NAME, DERIVED, UNKNOWN, Entry

AFTERWORD = "数据可能被程序以外的工具改动过。"


@dataclass(frozen=True)
class County:
    path: Path
    facts: Facts

    def sql(self, *statements: str) -> None:
        conn = sqlite3.connect(self.path)
        try:
            for statement in statements:
                conn.execute(statement, self.params())
            conn.commit()
        finally:
            conn.close()

    def params(self) -> dict[str, object]:
        f = self.facts
        return {
            "unit": f.unit_code,
            "penalty": f.penalty_doc,
            "doc": f.doc_no,
            "permit": f.permit_no,
        }

    def value(self, query: str, *args: object) -> object:
        conn = sqlite3.connect(self.path)
        try:
            row = conn.execute(query, args).fetchone()
            return None if row is None else row[0]
        finally:
            conn.close()

    def newest_entry(self, table: str, row_key: str) -> int:
        found = self.value(
            "SELECT max(id) FROM audit_log WHERE table_name = ? AND row_key = ?"
            " AND action != 'event'",
            table,
            row_key,
        )
        assert isinstance(found, int), (table, row_key)
        return found

    def problems(self) -> list[str]:
        return core.check_database(self.path).problems


def key(*parts: object) -> str:
    return json.dumps(list(parts), ensure_ascii=False, separators=(",", ":"))


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Facts]:
    path = tmp_path_factory.mktemp("county") / "county.db"
    return path, build(path)


@pytest.fixture
def county(pristine: tuple[Path, Facts], tmp_path: Path) -> County:
    """A copy of the county, opened once on this 'PC' so that its head is recorded."""
    source, facts = pristine
    db = copy_database(source, tmp_path / "x.db")
    opened = core.open_session(db, user="测试员")
    try:
        assert (
            len(opened.warnings) == 1
            and "本机没有此数据库审计日志位置的记录" in (opened.warnings[0])
        )
    finally:
        opened.close()
    again = core.open_session(db, user="测试员")  # said once, then anchored
    try:
        assert again.warnings == []
    finally:
        again.close()
    return County(db, facts)


def assert_named(problems: list[str], expected: str) -> None:
    assert any(expected in p for p in problems), "\n".join(problems)


# -- untouched, and normal operations ---------------------------------------------------------


def test_untouched_county_passes(county: County) -> None:
    report = core.check_database(county.path)
    assert report.ok, report.problems
    assert report.notes == []


# -- records --------------------------------------------------------------------------------


def test_record_text_changed(county: County) -> None:
    f = county.facts
    county.sql("UPDATE units SET name = '篡改的名称' WHERE uscc = :unit")
    entry = county.newest_entry("units", key(f.unit_code))
    assert_named(
        county.problems(),
        f"企业信息（{f.unit_code}）的“单位名称”与审计日志不符：数据库中为“篡改的名称”，"
        f"审计日志第 {entry} 条记下的是“{f.unit_name}”。{AFTERWORD}",
    )


def test_record_number_changed(county: County) -> None:
    row = county.value("SELECT min(id) FROM inspections")
    hazards = county.value("SELECT hazards FROM inspections WHERE id = ?", row)
    county.sql(
        "UPDATE inspections SET hazards = hazards + 7 WHERE id = (SELECT min(id) FROM inspections)"
    )
    assert_named(
        county.problems(),
        f"的“发现隐患数”与审计日志不符：数据库中为 {int(hazards) + 7}，审计日志第",  # type: ignore[call-overload]
    )


def test_record_deleted(county: County) -> None:
    f = county.facts
    county.sql("DELETE FROM penalties WHERE doc_no = :penalty")
    entry = county.newest_entry("penalties", key(f.penalty_doc))
    assert_named(
        county.problems(),
        f"行政处罚（{f.penalty_doc}）按审计日志（第 {entry} 条）应当存在，数据库中却没有这条记录："
        "它被程序以外的工具删除了。",
    )


def test_record_inserted(county: County) -> None:
    f = county.facts
    county.sql(
        "INSERT INTO honours (unit_id, honoured_on, level, type, title) VALUES"
        " ((SELECT id FROM units WHERE uscc = :unit), '2024-01-01', '县级', '先进单位', '自封')"
    )
    assert_named(
        county.problems(),
        f"表彰（{f.unit_code}、2024-01-01、先进单位）在数据库中存在，审计日志中却没有它的记录："
        "它是绕过程序写入的。",
    )


def test_deleted_record_brought_back(county: County) -> None:
    """A tombstone removed: an import could bring the deleted record back."""
    f = county.facts
    county.sql("DELETE FROM deleted_records")
    shown = "、".join(json.loads(f.deleted_key))
    assert_named(county.problems(), f"已删除记录名单中缺少执法检查（{shown}）（审计日志第 ")


def test_record_faked_as_deleted(county: County) -> None:
    county.sql(
        "INSERT INTO deleted_records VALUES ('penalties', '[\"凤应急罚〔2099〕9号\"]',"
        " '2026-11-21T10:00:00', '管理员')"
    )
    assert_named(
        county.problems(),
        "已删除记录名单中有行政处罚（凤应急罚〔2099〕9号），审计日志中却没有删除它的记录："
        "它是绕过程序写入的，会使导入跳过这条记录。",
    )


def test_conflict_pair_deleted(county: County) -> None:
    county.sql(
        "DELETE FROM inspector_conflicts WHERE rowid = (SELECT max(rowid) FROM inspector_conflicts)"
    )
    assert_named(county.problems(), "执法人员回避（执法证号 ")


# -- settings and users ---------------------------------------------------------------------


def test_setting_changed(county: County) -> None:
    county.sql("UPDATE settings SET value = '别的局' WHERE key = 'bureau_name'")
    entry = county.newest_entry("settings", "bureau_name")
    assert_named(
        county.problems(),
        "设置（单位名称，bureau_name）的“值”与审计日志不符：数据库中为“别的局”，"
        f"审计日志第 {entry} 条记下的是“测试县应急管理局”。{AFTERWORD}",
    )


def test_setting_added(county: County) -> None:
    county.sql("INSERT INTO settings VALUES ('entrusted_towns', '[\"廖家桥镇\"]')")
    assert_named(
        county.problems(),
        "设置（entrusted_towns）在数据库中存在，审计日志中却没有它的记录：它是绕过程序写入的。",
    )


def test_user_role_changed(county: County) -> None:
    county.sql("UPDATE users SET roles = '管理员' WHERE username = '审核员甲'")
    entry = county.newest_entry("users", "审核员甲")
    assert_named(
        county.problems(),
        "用户（审核员甲）的“角色”与审计日志不符：数据库中为“管理员”，"
        f"审计日志第 {entry} 条记下的是“审核员”。{AFTERWORD}",
    )


@pytest.mark.parametrize("user", ["审核员甲", "审核员乙"])  # 乙's password was reset
def test_user_password_hash_replaced(county: County, user: str) -> None:
    county.sql(
        "UPDATE users SET password_hash = (SELECT password_hash FROM users"
        f" WHERE username = '管理员') WHERE username = '{user}'"
    )
    entry = county.newest_entry("users", user)
    assert_named(
        county.problems(),
        f"用户（{user}）的“密码”与审计日志第 {entry} 条记下的不同：存储的内容被改动过。",
    )


def test_user_added(county: County) -> None:
    county.sql(
        "INSERT INTO users (username, roles, password_hash, created_at) VALUES"
        " ('后门', '管理员', (SELECT password_hash FROM users WHERE username = '管理员'),"
        " '2026-11-21T10:00:00')"
    )
    assert_named(county.problems(), "用户（后门）在数据库中存在，审计日志中却没有它的记录")


def test_login_failures_are_not_audited(county: County) -> None:
    """Failure counts and lock times change at every log-in, outside the audit."""
    county.sql("UPDATE users SET failed_attempts = 3 WHERE username = '审核员甲'")
    assert county.problems() == []


def test_holiday_changed(county: County) -> None:
    county.sql("UPDATE holidays SET kind = '工作日'")
    assert_named(
        county.problems(),
        "节假日表（2031-01-01）的“类型”与审计日志不符：数据库中为“工作日”，",
    )


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("DELETE FROM holidays", "节假日表（2031-01-01）按审计日志（第 "),
        (
            "INSERT INTO holidays VALUES ('2031-01-02', '工作日', '')",
            "节假日表（2031-01-02）在数据库中存在，审计日志中却没有它的记录",
        ),
        (
            "DELETE FROM settings WHERE key = 'upper_email'",
            "设置（上级单位邮箱，upper_email）按审计日志（第 ",
        ),
        (
            "UPDATE inspectors SET active = 0 WHERE id = (SELECT min(id) FROM inspectors)",
            "的“在岗”与审计日志不符：数据库中为 0，审计日志第 ",
        ),
        (
            "UPDATE commitments SET withdrawn_on = '2026-01-01'"
            " WHERE id = (SELECT min(id) FROM commitments)",
            "的“撤回日期”与审计日志不符：数据库中为“2026-01-01”，审计日志第 ",
        ),
        ("DELETE FROM list_entries", "名单（第 1 号）按审计日志（第 "),
        ("DELETE FROM permits", "行政许可（第 1 号）按审计日志（第 "),
        ("DELETE FROM repair_applications", "信用修复申请（第 1 号）按审计日志（第 "),
    ],
)
def test_more_rows_deleted_added_or_changed(county: County, statement: str, named: str) -> None:
    county.sql(statement)
    assert_named(county.problems(), named)


# -- workflow tables ------------------------------------------------------------------------


def test_list_entry_stage_changed(county: County) -> None:
    county.sql("UPDATE list_entries SET stage = '公布', published_on = '2026-11-22'")
    assert_named(
        county.problems(),
        f"名单（第 {county.facts.list_entry} 号）的“阶段”与审计日志不符：数据库中为“公布”，",
    )


def test_objection_answered_behind_the_program(county: County) -> None:
    county.sql("UPDATE objections SET status = '已答复', outcome = '删除'")
    assert_named(
        county.problems(),
        f"异议（第 {county.facts.objection} 号）的“状态”与审计日志不符：数据库中为“已答复”，",
    )


def test_repair_application_inserted(county: County) -> None:
    county.sql(
        "INSERT INTO repair_applications (unit_id, target_table, target_id, target_text,"
        " applied_on, applied_by, status) SELECT unit_id, target_table, target_id, target_text,"
        " applied_on, applied_by, '批准' FROM repair_applications"
    )
    assert_named(county.problems(), "信用修复申请（第 2 号）在数据库中存在，审计日志中却没有")


def test_permit_publication_date_changed(county: County) -> None:
    county.sql("UPDATE permits SET published_on = '2026-11-03'")
    assert_named(
        county.problems(),
        "行政许可（第 1 号）的“公布日期”与审计日志不符：数据库中为“2026-11-03”，",
    )


def test_assessment_grade_changed(county: County) -> None:
    county.sql("UPDATE assessment_grades SET grade = 'A' WHERE grade != 'A'")
    assert_named(county.problems(), "2026年度评定的存储结果与确认时记录的不一致，已被改动。")


def test_assessment_rules_changed(county: County) -> None:
    county.sql("UPDATE assessments SET profile_name = 'kundulun'")
    assert_named(
        county.problems(),
        "年度评定（2026年度）的“信用规则”与审计日志不符：数据库中为“kundulun”，",
    )


# -- immutable tables: triggers, draws, documents --------------------------------------------


def test_trigger_dropped(county: County) -> None:
    county.sql("DROP TRIGGER documents_no_update")
    assert county.problems() == [
        "数据库结构中缺少触发器 documents_no_update（它保证“已出具的文书不能修改”）："
        "它被程序以外的工具删除了。"
    ]


def test_trigger_added(county: County) -> None:
    county.sql(
        "CREATE TRIGGER quiet AFTER INSERT ON inspections BEGIN"
        " UPDATE inspections SET major_hazards = 0 WHERE id = NEW.id; END"
    )
    assert_named(
        county.problems(),
        "数据库结构中多出触发器 quiet，不是本程序建立的：它可能在暗中改动数据，请联系管理员。",
    )


def test_draw_edited_with_its_trigger_dropped(county: County) -> None:
    county.sql("DROP TRIGGER draws_only_annul", "UPDATE draws SET seed = '换过的种子' WHERE id = 1")
    problems = county.problems()
    assert_named(
        problems,
        "数据库结构中缺少触发器 draws_only_annul（它保证“双随机抽查记录不能修改，只能作废一次”）",
    )
    assert_named(
        problems,
        "双随机抽查（第 1 号抽查）的“随机种子”与审计日志不符：数据库中为“换过的种子”，",
    )


def test_draw_selection_edited(county: County) -> None:
    county.sql(
        "DROP TRIGGER draw_selections_no_update",
        "UPDATE draw_selections SET unit_id = (SELECT max(id) FROM units)"
        " WHERE draw_id = 1 AND position = 1",
    )
    assert_named(county.problems(), "双随机抽查（第 1 号抽查）的“抽中企业和检查组”与审计日志第 ")


def change_one_pdf_byte(county: County, *, rehash: bool, file_id: int = 1) -> None:
    conn = sqlite3.connect(county.path)
    try:
        conn.execute("DROP TRIGGER document_files_no_update")
        (pdf,) = conn.execute("SELECT pdf FROM document_files WHERE id = ?", (file_id,)).fetchone()
        changed = bytearray(pdf)
        changed[len(changed) // 2] ^= 0x01
        digest = hashlib.sha256(bytes(changed)).hexdigest()
        if rehash:
            conn.execute(
                "UPDATE document_files SET pdf = ?, sha256 = ? WHERE id = ?",
                (bytes(changed), digest, file_id),
            )
        else:
            conn.execute(
                "UPDATE document_files SET pdf = ? WHERE id = ?", (bytes(changed), file_id)
            )
        conn.execute(
            "CREATE TRIGGER document_files_no_update BEFORE UPDATE ON document_files\n"
            "BEGIN\n    SELECT RAISE(ABORT, '已出具的文书文件不能修改');\nEND"
        )
        conn.commit()
    finally:
        conn.close()


def test_document_byte_changed(county: County) -> None:
    change_one_pdf_byte(county, rehash=False)
    assert county.problems() == [
        f"文书 {county.facts.doc_no} 所在的存档文件与登记的 SHA-256 不符：文件内容被改动过，"
        "不能再作为原件重印。"
    ]


def test_document_byte_changed_and_rehashed(county: County) -> None:
    change_one_pdf_byte(county, rehash=True)
    doc = county.facts.doc_no
    entry = county.newest_entry("documents", doc)
    assert_named(
        county.problems(),
        f"文书登记（{doc}）的“文件的 SHA-256”与审计日志第 {entry} 条记下的不同："
        "存储的内容被改动过。",
    )


def test_document_deleted_with_its_trigger_dropped(county: County) -> None:
    county.sql("DROP TRIGGER documents_no_delete", "DELETE FROM documents WHERE doc_no = :doc")
    assert_named(county.problems(), f"文书登记（{county.facts.doc_no}）按审计日志（第 ")


def test_reprint_refuses_an_altered_file(county: County) -> None:
    change_one_pdf_byte(county, rehash=True)
    session = core.sign_in(county.path, "管理员", "admin-pw")
    try:
        found = session.documents.find(county.facts.doc_no)
        with pytest.raises(SafeCreditError) as refused:
            session.documents.issued_file(found.id)
        assert refused.value.message == (
            f"文书 {county.facts.doc_no} 不能重印：存档文件与出具时登记的不一致，可能被程序以外的"
            "工具改动过。请运行“检查”（safecredit check）并联系管理员。"
        )
    finally:
        session.close()


# -- the audit log, its checkpoint and the recorded heads --------------------------------------


def head(county: County) -> int:
    found = county.value("SELECT max(id) FROM audit_log")
    assert isinstance(found, int)
    return found


def test_whole_audit_log_deleted(county: County) -> None:
    entries = head(county)
    county.sql("DELETE FROM audit_log", "DELETE FROM audit_checkpoint")
    problems = county.problems()
    assert_named(problems, "审计日志被清空了：")
    assert_named(problems, f"时已有 {entries} 条，现在一条也没有")
    assert_named(problems, "在数据库中存在，审计日志中却没有它的记录")


def test_newest_audit_entry_deleted(county: County) -> None:
    entries = head(county)
    county.sql("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
    problems = county.problems()
    assert_named(
        problems,
        f"审计日志比上次核验时短：上次核验到第 {entries} 条，现在只有 {entries - 1} 条，"
        "最新的审计记录被删除了。",
    )
    assert_named(
        problems,
        f"时已有 {entries} 条，现在只有 {entries - 1} 条，最新的 1 条审计记录被删除了",
    )


def test_middle_audit_entry_deleted(county: County) -> None:
    county.sql("DELETE FROM audit_log WHERE id = 100")
    assert_named(county.problems(), "审计日志第 100 条缺失（被删除）。")


def test_middle_audit_entry_edited(county: County) -> None:
    county.sql("UPDATE audit_log SET user = '别人' WHERE id = 100")
    assert_named(county.problems(), "审计日志第 100 条的内容与其哈希不符，已被改动。")


def recompute_chain_from(
    county: County, first: int, edit: Callable[[sqlite3.Connection], None]
) -> None:
    conn = sqlite3.connect(county.path)
    try:
        edit(conn)
        prev = conn.execute("SELECT hash FROM audit_log WHERE id = ?", (first - 1,)).fetchone()[0]
        rows = conn.execute(
            f"SELECT {audit.ENTRY_COLUMNS} FROM audit_log WHERE id >= ? ORDER BY id", (first,)
        ).fetchall()
        for entry_id, at, user, action, table, row_key, before, after, _, _ in rows:
            digest = audit.entry_hash(
                prev, entry_id, at, user, action, table, row_key, before, after
            )
            conn.execute(
                "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?",
                (prev, digest, entry_id),
            )
            prev = digest
        conn.commit()
    finally:
        conn.close()


def test_chain_recomputed_from_the_middle(county: County) -> None:
    """A unit renamed in the table and in its audit entry, every hash after it redone:
    the chain holds, the rows match it; the head recorded outside the file does not."""
    f = county.facts
    entries = head(county)
    entry = county.newest_entry("units", key(f.unit_code))

    def rename(conn: sqlite3.Connection) -> None:
        after = json.loads(
            conn.execute("SELECT after FROM audit_log WHERE id = ?", (entry,)).fetchone()[0]
        )
        after["name"] = "改写过的名称"
        text = json.dumps(after, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        conn.execute("UPDATE audit_log SET after = ? WHERE id = ?", (text, entry))
        conn.execute("UPDATE units SET name = '改写过的名称' WHERE uscc = ?", (f.unit_code,))

    recompute_chain_from(county, entry, rename)
    problems = county.problems()
    assert_named(problems, f"审计日志被改写过：第 {entries} 条与 ")
    assert_named(problems, "记下的不同，这一条或它之前的审计记录被改动后重新计算了哈希链")
    assert_named(problems, f"审计日志第 {entries} 条（上次核验处）已被改动或删除。")
    assert not any("企业信息" in p for p in problems)  # the rows do match the rewritten log


def test_checkpoint_deleted(county: County) -> None:
    entries = head(county)
    county.sql("DELETE FROM audit_checkpoint")
    assert county.problems() == [
        f"审计核验点（上次核验到第几条）不见了，而审计日志已有 {entries} 条："
        "它被程序以外的工具删除了。"
    ]


def test_anchor_file_deleted(county: County) -> None:
    anchor.file_path(county.path).unlink()
    problems = county.problems()
    assert len(problems) == 1
    assert problems[0].startswith("数据库旁的审计位置文件 x.db.anchor 不见了（本机在 ")
    assert problems[0].endswith("记下的位置与审计日志相符）：它被删除了，已重新写入。")
    assert anchor.file_path(county.path).exists()
    assert core.check_database(county.path).ok  # said once, rewritten from the log


def edit_anchor(path: Path, **changes: object) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_anchor_file_altered(county: County) -> None:
    edit_anchor(anchor.file_path(county.path), hash="0" * 64)
    assert county.problems() == [
        "数据库旁的审计位置文件 x.db.anchor 记下的位置与审计日志不符，而本机的记录相符："
        "该文件被改动过，已按审计日志重新写入。"
    ]


def test_anchor_counts_altered(county: County) -> None:
    path = anchor.file_path(county.path)
    counts = json.loads(path.read_text(encoding="utf-8"))["counts"]
    counts["penalties"] -= 1
    edit_anchor(path, counts=counts)
    assert_named(county.problems(), "审计位置记录中行政处罚表的记录数（")


def test_user_folder_anchor_altered(county: County) -> None:
    entries = head(county)
    edit_anchor(anchor.store_path(county.path), entries=entries + 5)
    problems = county.problems()
    assert_named(problems, "审计日志被截短了：")
    assert_named(problems, "数据库旁的审计位置文件倒与现在的日志相符")


def test_database_replaced_with_an_older_copy(county: County, tmp_path: Path) -> None:
    """The file and its anchor swapped for an older pair: the user folder still knows."""
    older = tmp_path / "older"
    older.mkdir()
    copy_database(county.path, older / "x.db")
    (older / "x.db.anchor").write_bytes(anchor.file_path(county.path).read_bytes())
    session = core.sign_in(county.path, "管理员", "admin-pw")  # later work: a log-in
    session.close()
    entries = head(county)
    copy_database(older / "x.db", county.path)
    anchor.file_path(county.path).write_bytes((older / "x.db.anchor").read_bytes())
    problems = county.problems()
    assert_named(problems, f"时已有 {entries} 条，现在只有 {entries - 1} 条")
    assert_named(problems, "数据库可能连同该文件一起被换成了另一份副本")
    assert_named(problems, "请用“恢复”（safecredit restore 该文件）")


def test_what_is_not_protected(county: County) -> None:
    """Someone who deletes both recorded heads and only the newest entries that touched
    no row (a log-in event) leaves nothing to compare with: ``check`` says so once."""
    session = core.sign_in(county.path, "管理员", "admin-pw")
    session.close()
    county.sql("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
    county.sql(
        "UPDATE audit_checkpoint SET entry_id = entry_id - 1, hash ="
        " (SELECT hash FROM audit_log WHERE id = (SELECT max(id) FROM audit_log))"
    )
    anchor.file_path(county.path).unlink()
    anchor.store_path(county.path).unlink()
    report = core.check_database(county.path)
    assert report.ok
    assert [n[:30] for n in report.notes] == [
        "本机没有此数据库审计日志位置的记录（可能是从其他电脑复制来的"
    ]


# -- opening: the cheap look ----------------------------------------------------------------


def test_opening_names_a_deleted_row_by_count(county: County) -> None:
    county.sql("DELETE FROM penalties WHERE doc_no = :penalty")
    session = core.open_session(county.path, user="测试员")
    try:
        count = int(county.value("SELECT count(*) FROM penalties"))  # type: ignore[arg-type]
        assert session.warnings == [
            f"行政处罚表现有 {count} 条记录，按审计日志应有 {count + 1} 条：有记录被程序以外的工具"
            "删除了。请运行“检查”（safecredit check）查明是哪一条。"
        ]
    finally:
        session.close()


def test_opening_checks_rows_touched_since_the_checkpoint(county: County) -> None:
    from safecredit_desktop.core.storage import users as user_store
    from safecredit_desktop.core.storage.connection import Database

    with Database.open(county.path) as db:  # written without a session: the checkpoint stays
        user_store.add_user(db, "测试员", "录入员丁", "clerk-password", core.Role.CLERK)
    county.sql("UPDATE users SET roles = '管理员' WHERE username = '录入员丁'")
    entry = county.newest_entry("users", "录入员丁")
    session = core.open_session(county.path, user="测试员")
    try:
        assert session.warnings == [
            "审计日志与数据不符：用户（录入员丁）的“角色”与审计日志不符：数据库中为“管理员”，"
            f"审计日志第 {entry} 条记下的是“录入员”。{AFTERWORD}"
        ]
    finally:
        session.close()


def test_opening_names_a_dropped_trigger(county: County) -> None:
    county.sql("DROP TRIGGER draw_selections_no_delete")
    session = core.open_session(county.path, user="测试员")
    try:
        assert session.warnings == [
            "数据库结构中缺少触发器 draw_selections_no_delete（它保证“双随机抽查结果不能删除”）："
            "它被程序以外的工具删除了。"
        ]
    finally:
        session.close()


def test_opening_names_a_truncated_log(county: County) -> None:
    county.sql(
        "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)",
        "DELETE FROM audit_checkpoint",
    )
    session = core.open_session(county.path, user="测试员")
    try:
        assert any("审计日志被截短了" in w for w in session.warnings), session.warnings
    finally:
        session.close()


# -- what is covered ------------------------------------------------------------------------


def test_every_table_is_accounted_for(county: County) -> None:
    """A table the program writes is reconciled entry by entry, or derived from one that
    is; a new table must be added to storage/audited_tables.py."""
    conn = sqlite3.connect(county.path)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    finally:
        conn.close()
    assert tables - set(BY_NAME) - set(DERIVED) == set()


@pytest.mark.parametrize(
    ("after", "stated"),
    [
        ({"username": "甲", "状态": "停用"}, {"username": "甲", "active": 0}),
        (
            {"username": "甲", "密码存储": "已按当前强度重新计算"},
            {"username": "甲", "password_sha256": UNKNOWN},
        ),
        ({"username": "甲", "role": "审核员"}, {"username": "甲", "roles": "审核员"}),
        ({"username": "甲", "password_sha256": "ab"}, {"username": "甲", "password_sha256": "ab"}),
    ],
)
def test_user_entries_of_every_shape_state_the_right_fields(
    after: dict[str, object], stated: dict[str, object]
) -> None:
    """Entries name an account's state, a password change or a role in several ways
    (also those of a later schema with a set of roles); each is read as the column."""
    users = BY_NAME["users"]
    entry = Entry(
        1, "2026-11-21T10:00:00", "管理员", "update", "users", "甲", None, json.dumps(after)
    )
    assert users.stated(entry, frozenset({"username", "roles", "active"})) == stated


def test_issuing_an_identical_document_again_refuses_an_altered_file(county: County) -> None:
    """Issuing a document identical to one issued alone hands back its stored file: the
    file is checked first."""
    session = core.sign_in(county.path, "管理员", "admin-pw")
    try:
        unit = session.units.of_grade("B", TODAY)[0]
        request = core.DocumentRequest("grade-notice", unit_ids=(unit,), as_of=TODAY)
        (alone,) = session.documents.issue(request, today=TODAY).issued
        change_one_pdf_byte(county, rehash=False, file_id=alone.file_id)
        with pytest.raises(SafeCreditError) as refused:
            session.documents.issue(request, today=TODAY)
        assert refused.value.message.startswith(f"文书 {alone.doc_no} 不能重印：")
    finally:
        session.close()


def test_adopted_plan_changed_behind_the_program(tmp_path: Path) -> None:
    """An adopted plan whose row is changed with the triggers dropped is named."""
    from datetime import date

    from safecredit_desktop.core.model import Role

    db = tmp_path / "plan.db"
    core.init_database(db, profile="fenghuang", bureau_name="测试县应急管理局", user="t").close()
    session = core.open_session(db, user="审核", role=Role.REVIEWER)
    try:
        core.fill_demo(session, enterprises=20, seed=5)
        plan = session.schedule.plan(year=2027, today=date(2026, 12, 1))
        session.schedule.adopt(plan)
    finally:
        session.close()
    assert core.check_database(db).ok
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER plan_adoptions_no_update")
    conn.execute("UPDATE plan_adoptions SET capacity = 99")
    conn.commit()
    conn.close()
    problems = core.check_database(db).problems
    assert any("检查计划（第1次采用）" in p and "每月检查能力" in p for p in problems), problems


def test_stored_live_grade_changed_behind_the_program(county: County) -> None:
    """The registry's stored grades are derived data: check regrades and names a row
    changed or removed with another tool."""
    settled = core.open_session(county.path, user="测试员")
    settled.close()
    code = county.value("SELECT uscc FROM units ORDER BY id LIMIT 1")
    county.sql(
        "UPDATE unit_grades SET grade = CASE grade WHEN 'A' THEN 'D' ELSE 'A' END"
        " WHERE unit_id = (SELECT id FROM units ORDER BY id LIMIT 1)"
    )
    problems = county.problems()
    assert any(f"企业 {code} 保存的实时信用等级" in p for p in problems), problems
    county.sql("DELETE FROM unit_grades WHERE unit_id = (SELECT id FROM units ORDER BY id LIMIT 1)")
    problems = county.problems()
    assert any(f"企业 {code} 保存的实时信用等级（缺失）" in p for p in problems), problems
