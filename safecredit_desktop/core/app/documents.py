"""Printed documents: kinds, prefixes, fonts, preview, issue, register, reprint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safecredit_desktop.core.app.values import (
    _FORBIDDEN_IN_PREFIX,
    DOC_FONT_FOLDER,
    DOC_FONTS_OFFICIAL,
    DOC_PREFIX_KEY,
    DocumentKind,
    FontSettings,
    IssueResult,
)
from safecredit_desktop.core.documents import build as _doc_build
from safecredit_desktop.core.documents import data as _doc_data
from safecredit_desktop.core.documents import fonts as _doc_fonts
from safecredit_desktop.core.documents import register as _doc_register
from safecredit_desktop.core.documents.kinds import KINDS as _DOC_KINDS
from safecredit_desktop.core.documents.kinds import kind_name as _kind_name
from safecredit_desktop.core.errors import SafeCreditError
from safecredit_desktop.core.model import Role
from safecredit_desktop.core.rules.result import GradeResult as _GradeResult
from safecredit_desktop.core.storage import assessments
from safecredit_desktop.core.storage import users as user_store
from safecredit_desktop.core.storage.settings import get_setting, set_setting
from safecredit_desktop.core.workflows import lists as _lists
from safecredit_desktop.core.workflows import objections as _objections

if TYPE_CHECKING:
    from safecredit_desktop.core.app.session import Session


def _font_choice(session: Session) -> _doc_fonts.FontChoice:
    if get_setting(session.db, DOC_FONTS_OFFICIAL) != "是":
        return _doc_fonts.shipped_choice()
    folder = get_setting(session.db, DOC_FONT_FOLDER)
    return _doc_fonts.official_choice(Path(folder) if folder else None)


def _document_grades(
    session: Session, unit_ids: Any, as_of: date, assessment: int | None
) -> dict[int, _GradeResult]:
    from safecredit_desktop.core.grade_facts import grade_all

    wanted = set(unit_ids)
    if assessment is not None:
        if assessments.find(session.db, assessment) is None:
            raise SafeCreditError(f"{assessment}年度的信用评定尚未确认。")
        return {
            r.unit_id: r
            for r in session.grading.assessment_results(assessment)
            if r.unit_id in wanted
        }
    if len(wanted) <= 20:
        found: dict[int, _GradeResult] = {}
        for (uscc,) in session.db.conn.execute(
            f"SELECT uscc FROM units WHERE id IN ({', '.join('?' for _ in wanted)})", list(wanted)
        ):
            for r in grade_all(session.db, session.profile, as_of, uscc=str(uscc)):
                found[r.unit_id] = r
        return found
    return {
        r.unit_id: r for r in grade_all(session.db, session.profile, as_of) if r.unit_id in wanted
    }


def _document_sources(session: Session) -> _doc_build.Sources:
    disputed: dict[int, frozenset[str]] = {}

    def disputed_of(unit_id: int) -> frozenset[str]:
        if not disputed:
            by_unit: dict[int, set[str]] = {}
            for row in _objections.objections(session.db, open_only=True):
                by_unit.setdefault(row.unit_id, set()).add(
                    _objections.quoted_prefix(row.target_text)
                )
            disputed.update({u: frozenset(p) for u, p in by_unit.items()})
            disputed.setdefault(-1, frozenset())  # loaded, even when there are none
        return disputed.get(unit_id, frozenset())

    return _doc_build.Sources(
        grades=lambda ids, as_of, year: _document_grades(session, ids, as_of, year),
        plan=lambda year: session.schedule.year_plan(year=year),
        draw=lambda draw_id: session.draws.detail(draw_id),
        listing=lambda entry_id: _listing_facts(session, entry_id),
        objection=lambda objection_id: _objection_facts(session, objection_id),
        disputed=disputed_of,
    )


def _build_documents(
    session: Session,
    request: _doc_build.DocumentRequest,
    day: date,
    progress: Callable[[float, str], None] | None,
) -> list[Any]:
    return _doc_build.build(
        session.db,
        session.profile,
        request,
        bureau=session.bureau_name,
        day=day,
        sources=_document_sources(session),
        progress=progress,
    )


def _renderer(
    session: Session,
    progress: Callable[[float, str], None] | None,
    documents: Any,
    numbers: Any,
) -> Callable[[Any, Any], tuple[bytes, list[tuple[int, int]]]]:
    """The function drawing ``documents``; refused first when the fonts would lose a
    character of them (``numbers``: what the 文号 will say)."""
    from safecredit_desktop.core.documents.render import refuse_lost_characters, render_pdf

    fonts = _doc_fonts.load_fonts(_font_choice(session))
    refuse_lost_characters(fonts, documents, numbers)

    def render(documents: Any, numbers: Any) -> tuple[bytes, list[tuple[int, int]]]:
        total = len(documents)

        def step(done: int) -> None:
            if progress is not None and (done % 50 == 0 or done == total):
                progress(0.3 + 0.6 * done / total, f"正在排版第 {done:,} / {total:,} 份文书…")

        title = documents[0].title if total == 1 else f"{documents[0].title}（{total}份）"
        return render_pdf(fonts, documents, numbers, title=title, progress=step)

    return render


def _listing_facts(session: Session, entry_id: int) -> tuple[int, Any]:
    from safecredit_desktop.core.documents.notices import ListingFacts

    entry = _lists.get(session.db, entry_id)
    return entry.unit_id, ListingFacts(
        entry.id,
        entry.list_kind,
        entry.subject,
        entry.facts,
        entry.basis,
        entry.period_months,
        entry.published_on,
        entry.removed_on,
        entry.removal_reason,
    )


def _objection_facts(session: Session, objection_id: int) -> tuple[int, Any]:
    from safecredit_desktop.core.documents.notices import ObjectionFacts

    found = _objections.get(session.db, objection_id)
    if found.status != "已答复" or found.outcome is None or found.investigator is None:
        raise SafeCreditError("该异议尚未答复，不能出具答复书。")
    return found.unit_id, ObjectionFacts(
        found.id,
        found.filed_on,
        found.target_text,
        found.content,
        found.findings,
        found.outcome,
        _display_name(session, found.investigator),
    )


def _display_name(session: Session, username: str) -> str:
    """How a notice names a user: the display name set in 用户管理, else the login."""
    user = user_store.find_user(session.db, username)
    return (user.display_name.strip() if user is not None else "") or username


class DocumentsPart:
    """Printed documents: kinds, prefixes, fonts, preview, issue, register, reprint."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def kinds(self) -> list[DocumentKind]:
        """The kinds of documents, named as this bureau's profile names them."""
        session = self._session
        return [replace(k, name=_kind_name(k.kind, session.profile)) for k in _DOC_KINDS]

    def prefixes(self) -> dict[str, str]:
        """文号 prefix per kind: the one set in 设置, else the profile's."""
        session = self._session
        profile = session.profile
        return {
            k.kind: get_setting(session.db, DOC_PREFIX_KEY + k.kind)
            or profile.doc_prefixes.get(k.kind, "")
            for k in _DOC_KINDS
        }

    def set_prefix(self, kind: str, prefix: str) -> None:
        """Set a kind's 文号 prefix (管理员): 2 to 12 characters, no spaces or brackets."""
        session = self._session
        session.require(Role.ADMIN)
        if kind not in {k.kind for k in _DOC_KINDS}:
            raise SafeCreditError(f"没有“{kind}”这种文书。")
        prefix = prefix.strip()
        if not 2 <= len(prefix) <= 12:
            raise SafeCreditError("文号前缀应为2至12个字，例如“凤应急信告”。")
        bad = sorted(set(prefix) & _FORBIDDEN_IN_PREFIX)
        if bad or any(ch.isdigit() for ch in prefix):
            raise SafeCreditError(
                "文号前缀不能含空格、括号或数字；年份和序号由程序按“〔2026〕12号”格式加上。"
            )
        set_setting(session.db, session.user, DOC_PREFIX_KEY + kind, prefix)

    def font_settings(self) -> FontSettings:
        session = self._session
        choice = _font_choice(session)
        return FontSettings(
            get_setting(session.db, DOC_FONTS_OFFICIAL) == "是",
            get_setting(session.db, DOC_FONT_FOLDER),
            choice.describe(),
            list(choice.notes),
        )

    def set_fonts(self, *, use_official: bool, folder: str) -> None:
        """Choose the shipped open fonts or the bureau's installed official fonts (管理员)."""
        session = self._session
        session.require(Role.ADMIN)
        folder = folder.strip()
        if folder and not Path(folder).is_dir():
            raise SafeCreditError(f"字体文件夹不存在：{folder}")
        with session.db.transaction():
            set_setting(
                session.db, session.user, DOC_FONTS_OFFICIAL, "是" if use_official else "否"
            )
            set_setting(session.db, session.user, DOC_FONT_FOLDER, folder)

    def preview(
        self,
        request: _doc_build.DocumentRequest,
        progress: Callable[[float, str], None] | None = None,
        *,
        today: date | None = None,
    ) -> bytes:
        """The PDF of ``request`` without numbers (a preview takes none) and without storing."""
        session = self._session
        from safecredit_desktop.core.documents.content import preview_number

        day = today or date.today()
        documents = _build_documents(session, request, day, progress)
        prefixes = session.documents.prefixes()
        numbers = [preview_number(prefixes.get(d.kind, ""), day.year) for d in documents]
        pdf, _ = _renderer(session, progress, documents, numbers)(documents, numbers)
        return pdf

    def issue(
        self,
        request: _doc_build.DocumentRequest,
        progress: Callable[[float, str], None] | None = None,
        *,
        today: date | None = None,
        deliver: Callable[[bytes], None] | None = None,
    ) -> IssueResult:
        """Number, draw and register the documents of ``request`` (one PDF); an identical
        document already issued is reprinted with its number instead. ``deliver`` (writing
        the file the user chose) runs before the numbers are committed: when it fails,
        nothing is issued and no number is used."""
        session = self._session
        day = today or date.today()
        from safecredit_desktop.core.documents.content import preview_number

        documents = _build_documents(session, request, day, progress)
        prefixes = session.documents.prefixes()
        numbers = [preview_number(prefixes.get(d.kind, ""), day.year) for d in documents]
        outcome = _doc_register.issue(
            session.db,
            session.user,
            documents,
            prefixes=prefixes,
            day=day,
            render=_renderer(session, progress, documents, numbers),
            deliver=deliver,
        )
        notes = list(_font_choice(session).notes)
        return IssueResult(outcome.pdf, outcome.issued, outcome.reprinted, notes)

    def register(
        self, *, search: str = "", kind: str | None = None, limit: int = 1000
    ) -> list[_doc_register.IssuedDocument]:
        session = self._session
        return _doc_register.search(session.db, text=search, kind=kind, limit=limit)

    def issued_file(self, document_id: int, *, reprint: bool = True) -> bytes:
        """The stored PDF file a document was issued in, byte for byte. A reprint (printing
        or saving a copy) is audited; looking at it on screen (``reprint=False``) is not."""
        session = self._session
        found = _doc_register.get(session.db, document_id)
        pdf = _doc_register.verified_file(session.db, found)
        if reprint:
            session.repo.log_event(
                "documents", found.doc_no, {"重印": found.doc_no, "对象": found.subject}
            )
        return pdf

    def find(self, doc_no: str) -> _doc_register.IssuedDocument:
        session = self._session
        for found in _doc_register.search(session.db, text=doc_no, limit=50):
            if found.doc_no == doc_no:
                return found
        raise SafeCreditError(f"文书登记中没有文号为“{doc_no}”的文书。")

    def repairs_for_documents(self) -> list[tuple[int, str]]:
        """Approved repair and early-removal applications as (number, description), the
        number being the one ``repair show`` prints and ``print --repair`` takes."""
        session = self._session
        return _doc_data.repair_decisions(session.db)
