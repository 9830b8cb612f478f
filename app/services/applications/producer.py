"""The producer's side of an application: start one from a call, edit the draft, attach files, submit.

A producer account linked to a producer starts at most one application per round, while the call
accepts entries. It changes its application (fields, self-assessment, files) only while it is a draft
or returned *and* the call still accepts entries (to the end of the closing day, Vietnam time): a
returned application is fixed and sent again before the closing like any other, so every application
the office checks after the closing is one that met the deadline, and "a submitted application cannot
be changed after the closing date" holds without exceptions. Another account's application is
NotFound, never Forbidden. Every change is audited; helpers flush, the route commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from app.domain.calls import accepts_entries
from app.domain.messages import N_
from app.domain.states import ApplicationState, RoundState
from app.errors import InvalidInput, NotFound
from app.files.dossier import MAX_DOSSIER_BYTES, CheckedDocument, write_document
from app.files.media import remove_written
from app.forms.applications import ApplicationForm
from app.i18n import gettext
from app.models import Application, ApplicationFile, ProducerAccount, RoundCall, SelectionRound, utcnow
from app.services.applications.common import (
    ApplicationDetail,
    application_detail,
    attached_file,
    audit_change,
    copy_dossier,
    missing_items,
    move_application,
    state_of,
)
from app.services.records.audit_log import snapshot

NOT_FOUND = N_("Không tìm thấy hồ sơ này trong tài khoản của bạn.")
CLOSED = N_("Đợt bình chọn này không còn nhận hồ sơ (đã hết hạn hoặc chưa mở): không thay đổi được hồ sơ.")
LOCKED = N_("Hồ sơ đã nộp không sửa được nữa, trừ khi Sở Công Thương trả lại để bổ sung.")


@dataclass(frozen=True, slots=True)
class ApplicationLine:
    """One of the account's applications as its dashboard lists it."""

    application: Application
    state: ApplicationState
    round: SelectionRound


def open_call(session: Session, round_id: int) -> tuple[SelectionRound, RoundCall]:
    """The round and its call, for a producer; NotFound when there is none or the round was withdrawn."""
    selection_round = session.get(SelectionRound, round_id)
    call = session.exec(select(RoundCall).where(RoundCall.round_id == round_id)).first()
    if selection_round is None or call is None or selection_round.state == RoundState.WITHDRAWN:
        raise NotFound(gettext("Không tìm thấy thông báo nhận hồ sơ này."))
    return selection_round, call


def start_application(*, session: Session, account: ProducerAccount, round_id: int, now: datetime,
                      from_id: int | None = None) -> Application:
    """The producer's application to the round: its existing one, or a new draft while the call is open,
    empty or (`from_id`: one of the account's applications to another round, as in a renewal in the
    certificate's fourth year) starting from that dossier."""
    if account.producer_id is None:
        raise InvalidInput(gettext("Tài khoản cần gắn với một cơ sở trước khi nộp hồ sơ."), field="round")
    selection_round, call = open_call(session, round_id)
    existing = session.exec(select(Application).where(Application.round_id == round_id,
                                                      Application.producer_id == account.producer_id)).first()
    if existing is not None:
        if existing.account_id != account.id:
            raise InvalidInput(gettext("Cơ sở của bạn đã có hồ sơ trong đợt này."), field="round")
        return existing
    if not accepts_entries(call, now):
        raise InvalidInput(gettext(CLOSED), field="round")
    source = None if from_id is None else own_application(session=session, account=account,
                                                          application_id=from_id)
    assert account.id is not None and call.id is not None  # noqa: S101 - loaded from the database
    application = Application(round_id=round_id, call_id=call.id, account_id=account.id,
                              producer_id=account.producer_id)
    session.add(application)
    session.flush()
    extra: dict[str, object] = {}
    if source is not None:
        extra = {"from_application": source.id,
                 "files": copy_dossier(session=session, source=source, target=application, call=call)}
    audit_change(session=session, application=application, action="application.create",
                 province_id=selection_round.province_id, before=None, producer_account=account, extra=extra)
    return application


def earlier_applications(*, session: Session, account: ProducerAccount,
                         round_id: int) -> list[ApplicationLine]:
    """The account's applications to other rounds, newest first: dossiers a new one may start from."""
    return [line for line in applications_of(session=session, account=account)
            if line.application.round_id != round_id]


def own_application(*, session: Session, account: ProducerAccount, application_id: int) -> Application:
    """The account's own application; NotFound for any other (its existence is not revealed)."""
    application = session.get(Application, application_id)
    if application is None or application.account_id != account.id:
        raise NotFound(gettext(NOT_FOUND))
    return application


def own_detail(*, session: Session, account: ProducerAccount, application_id: int,
               now: datetime) -> ApplicationDetail:
    """The account's own application with its pages' details."""
    application = own_application(session=session, account=account, application_id=application_id)
    return application_detail(session, application, now=now)


def applications_of(*, session: Session, account: ProducerAccount) -> list[ApplicationLine]:
    """The account's applications, newest first, with their rounds."""
    rows = session.exec(select(Application, SelectionRound)
                        .join(SelectionRound, col(SelectionRound.id) == col(Application.round_id))
                        .where(Application.account_id == account.id)
                        .order_by(col(Application.id).desc())).all()
    return [ApplicationLine(application=a, state=state_of(a), round=r) for a, r in rows]


def _editable(detail: ApplicationDetail) -> None:
    """InvalidInput unless the producer may change the application now."""
    if not detail.open_for_entries:
        raise InvalidInput(gettext(CLOSED), field="state")
    if not detail.editable:
        raise InvalidInput(gettext(LOCKED), field="state")


def save_draft(*, session: Session, account: ProducerAccount, detail: ApplicationDetail,
               form: ApplicationForm) -> Application:
    """Save the fields and the self-assessment (each score within its criterion's points)."""
    _editable(detail)
    application = detail.application
    before = snapshot(application)
    application.product_name, application.group = form.product_name, form.group
    application.description, application.updated_at = form.description, utcnow()
    application.self_scores = json.dumps(form.scores, ensure_ascii=False, sort_keys=True)
    session.add(application)
    session.flush()
    audit_change(session=session, application=application, action="application.update",
                 province_id=detail.round.province_id, before=before, producer_account=account)
    return application


@contextmanager
def add_file(*, session: Session, account: ProducerAccount, detail: ApplicationDetail, document_key: str,
             filename: str, checked: CheckedDocument, folder: Path) -> Iterator[ApplicationFile]:
    """Attach a checked file to a checklist item, within the application's size limit.

    A context manager: the caller commits inside it, and a failure there removes the file just written.
    """
    _editable(detail)
    if document_key not in {slot.item.key for slot in detail.slots}:
        raise InvalidInput(gettext("Vui lòng chọn loại giấy tờ trong danh sách."), field="document")
    if detail.total_bytes + checked.size > MAX_DOSSIER_BYTES:
        words = gettext("Tổng dung lượng các tệp của hồ sơ vượt quá %(mb)s MB: không thêm được tệp %(file)s.")
        raise InvalidInput(words % {"mb": MAX_DOSSIER_BYTES // 2**20, "file": filename}, field="file")
    application = detail.application
    assert application.id is not None  # noqa: S101 - loaded from the database
    stored = ApplicationFile(application_id=application.id, document_key=document_key,
                             filename=filename[:200], content_hash=checked.content_hash, size=checked.size,
                             media_type=checked.media_type)
    session.add(stored)
    session.flush()
    audit_change(session=session, application=application, action="application.file_add",
                 province_id=detail.round.province_id, before=None, producer_account=account,
                 extra={"file": snapshot(stored)})
    written = write_document(folder, checked)
    try:
        yield stored
    except BaseException:
        remove_written(folder, written)
        raise


def remove_file(*, session: Session, account: ProducerAccount, detail: ApplicationDetail,
                file_id: int) -> ApplicationFile:
    """Take a file off the application (the stored bytes stay: another application may hold the same)."""
    _editable(detail)
    found, _ = attached_file(detail, file_id, Path())
    audit_change(session=session, application=detail.application, action="application.file_remove",
                 province_id=detail.round.province_id, before={"file": snapshot(found)},
                 producer_account=account)
    session.delete(found)
    session.flush()
    return found


def submit_application(*, session: Session, account: ProducerAccount,
                       detail: ApplicationDetail) -> Application:
    """Send the application to the office; InvalidInput naming everything still missing."""
    _editable(detail)
    missing = missing_items(detail)
    if missing:
        words = gettext("Chưa nộp được hồ sơ, còn thiếu: %(items)s.")  # the items as the call names them
        raise InvalidInput(words % {"items": "; ".join(missing)}, field="submit")
    move_application(session=session, application=detail.application, target=ApplicationState.SUBMITTED,
                     province_id=detail.round.province_id, producer_account=account)
    return detail.application

