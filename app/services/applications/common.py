"""What the producer's and the office's sides of an application share: its detail, its moves, its counts.

Every move goes through `move_application` (the one place that checks APPLICATION_TRANSITIONS, keeps
the history and writes the audit entry). A producer's own changes are audited without an office user
(`user_id` empty) and name the producer account in the entry. Helpers flush; the route commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.domain.calls import (
    LOWER_CERTIFICATE_ITEM,
    Criterion,
    DocumentItem,
    accepts_entries,
    criteria_from_json,
    documents_from_json,
)
from app.domain.groups import parse_group
from app.domain.levels import Level
from app.domain.states import (
    EDITABLE_APPLICATION_STATES,
    ApplicationState,
    application_transition,
    parse_state,
)
from app.errors import InvalidInput, NotFound
from app.files.dossier import stored_path
from app.models import (
    Application,
    ApplicationEvent,
    ApplicationFile,
    Certificate,
    Producer,
    ProducerAccount,
    RoundCall,
    SelectionRound,
    utcnow,
)
from app.services.catalog.rounds import round_place
from app.services.office.account import Account
from app.services.records.audit_log import record_change, snapshot

ENTITY = "application"
# An application's states once the round's results are published.
FINAL_STATES = (ApplicationState.SELECTED, ApplicationState.NOT_SELECTED)


@dataclass(frozen=True, slots=True)
class DocumentSlot:
    """One checklist item with the files attached for it."""

    item: DocumentItem
    files: list[ApplicationFile]
    certificate: Certificate | None = None  # the lower certificate a nomination attached, for its item


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One criterion with the points the producer gave itself (None: not given yet)."""

    criterion: Criterion
    points: float | None


@dataclass(frozen=True, slots=True)
class ApplicationDetail:
    """An application with its round, call, producer, files per checklist item, self-assessment, history."""

    application: Application
    state: ApplicationState
    round: SelectionRound
    call: RoundCall
    producer: Producer
    account: ProducerAccount
    place: str
    files: list[ApplicationFile]  # every file, a checklist item the office removed since included
    slots: list[DocumentSlot]
    scores: list[ScoreLine]
    events: list[ApplicationEvent]
    open_for_entries: bool  # the call accepts entries now (until the end of its closing day, Vietnam time)
    lower_certificate: Certificate | None = None  # a nomination's certificate of the level below

    @property
    def level_label(self) -> str:
        """The round's level in words (a Vietnamese msgid)."""
        return Level(self.round.level).label

    @property
    def editable(self) -> bool:
        """Whether the producer may change it now: a draft or a returned one, while the call takes entries."""
        return self.state in EDITABLE_APPLICATION_STATES and self.open_for_entries

    @property
    def total_bytes(self) -> int:
        """The size of every attached file together."""
        return sum(f.size for f in self.files)


@dataclass(frozen=True, slots=True)
class ApplicationCounts:
    """How many applications of a round were ever submitted, wait for a check, were returned, were accepted
    (those selected or not once the results are out included), were selected."""

    submitted: int = 0
    waiting: int = 0
    returned: int = 0
    accepted: int = 0
    selected: int = 0


def state_of(application: Application) -> ApplicationState:
    """The stored state as a member (an unknown value reads as a draft, which nobody can move further)."""
    return parse_state(ApplicationState, application.state) or ApplicationState.DRAFT


def self_scores(application: Application) -> dict[str, float]:
    """The self-assessment as stored: criterion key → points."""
    stored = json.loads(application.self_scores or "{}")
    return {str(key): float(value) for key, value in stored.items()} if isinstance(stored, dict) else {}


def application_files(session: Session, application_id: int) -> list[ApplicationFile]:
    """The application's files, oldest first."""
    return list(session.exec(select(ApplicationFile).where(ApplicationFile.application_id == application_id)
                             .order_by(col(ApplicationFile.id))).all())


def application_detail(session: Session, application: Application, *, now: datetime) -> ApplicationDetail:
    """The application with everything its pages show, its call's openness at `now`."""
    assert application.id is not None  # noqa: S101 - loaded from the database
    call = session.get_one(RoundCall, application.call_id)
    selection_round = session.get_one(SelectionRound, application.round_id)
    files = application_files(session, application.id)
    lower = (session.get(Certificate, application.lower_certificate_id)
             if application.lower_certificate_id is not None else None)
    slots = [DocumentSlot(item, [f for f in files if f.document_key == item.key],
                          lower if item.key == LOWER_CERTIFICATE_ITEM else None)
             for item in documents_from_json(call.documents)]
    given = self_scores(application)
    scores = [ScoreLine(c, given.get(c.key)) for c in criteria_from_json(call.criteria)]
    events = list(session.exec(select(ApplicationEvent)
                               .where(ApplicationEvent.application_id == application.id)
                               .order_by(col(ApplicationEvent.id))).all())
    return ApplicationDetail(
        application=application, state=state_of(application), round=selection_round, call=call,
        producer=session.get_one(Producer, application.producer_id),
        account=session.get_one(ProducerAccount, application.account_id),
        place=round_place(session, selection_round), files=files, slots=slots, scores=scores, events=events,
        open_for_entries=accepts_entries(call, now), lower_certificate=lower)


def missing_items(detail: ApplicationDetail) -> list[str]:
    """What keeps the application from being submitted: empty required fields, required files, scores."""
    application = detail.application
    missing = []
    if not application.product_name.strip():
        missing.append("Tên sản phẩm")
    if parse_group(application.group) is None:
        missing.append("Nhóm sản phẩm")
    if not application.description.strip():
        missing.append("Mô tả sản phẩm")
    missing += [f"Tự chấm điểm: {line.criterion.label}" for line in detail.scores if line.points is None]
    missing += [f"Tệp đính kèm: {slot.item.label}" for slot in detail.slots
                if slot.item.required and not slot.files and slot.certificate is None]
    return missing


def move_application(*, session: Session, application: Application, target: ApplicationState,
                     province_id: int | None, note: str = "", office: Account | None = None,
                     producer_account: ProducerAccount | None = None) -> ApplicationEvent:
    """Move the application to `target` (InvalidInput when the move is not allowed), keep it in its history
    and the audit log; a return's note becomes the application's note."""
    current = state_of(application)
    action = application_transition(current, target)
    if action is None:
        raise InvalidInput(f"Không thể chuyển hồ sơ từ “{current.label}” sang “{target.label}”.",
                           field="state")
    assert application.id is not None  # noqa: S101 - loaded from the database
    before = snapshot(application)
    application.state, application.updated_at = target, utcnow()
    if target is ApplicationState.SUBMITTED:
        application.submitted_at = application.updated_at
    if target is ApplicationState.RETURNED or note:
        application.note = note
    event = ApplicationEvent(application_id=application.id, from_state=current, to_state=target, note=note,
                             user_id=office.id if office else None,
                             account_id=producer_account.id if producer_account else None)
    session.add_all([application, event])
    session.flush()
    audit_change(session=session, application=application, action=action, province_id=province_id,
                 before=before, office=office, producer_account=producer_account)
    return event


def audit_change(*, session: Session, application: Application, action: str, province_id: int | None,
                 before: dict[str, object] | None, office: Account | None = None,
                 producer_account: ProducerAccount | None = None,
                 extra: dict[str, object] | None = None) -> None:
    """The audit entry of a change to an application, by an office user or by the producer account."""
    after: dict[str, object] = {**snapshot(application), **(extra or {})}
    if producer_account is not None:
        after["by_producer_account"] = producer_account.id
    record_change(session=session, account=office, action=action, entity=ENTITY, entity_id=application.id,
                  province_id=province_id, before=before, after=after)


def application_counts(*, session: Session, round_id: int) -> ApplicationCounts:
    """The round's applications by state; `submitted` counts every one sent at least once."""
    sent = sa.func.count(col(Application.submitted_at))
    rows = session.exec(select(Application.state, sa.func.count(), sent)
                        .where(Application.round_id == round_id).group_by(col(Application.state))).all()
    by_state = {state: int(n) for state, n, _ in rows}
    return ApplicationCounts(submitted=sum(int(sent) for _, _, sent in rows),
                             waiting=by_state.get(ApplicationState.SUBMITTED, 0),
                             returned=by_state.get(ApplicationState.RETURNED, 0),
                             accepted=sum(by_state.get(s, 0) for s in (ApplicationState.ACCEPTED,
                                                                        *FINAL_STATES)),
                             selected=by_state.get(ApplicationState.SELECTED, 0))


def results_published(session: Session, round_id: int) -> bool:
    """Whether the round's results were published (an application of it reached a final state)."""
    found = select(Application.id).where(Application.round_id == round_id,
                                         col(Application.state).in_(FINAL_STATES))
    return session.exec(found).first() is not None


def copy_dossier(*, session: Session, source: Application, target: Application, call: RoundCall) -> int:
    """Carry a dossier into another application (a renewal, or the next level up): its fields, the
    self-assessment for the criteria the new call keeps and the files of the checklist items it keeps.
    Returns how many files were carried.

    The files are the same stored bytes (kept by content hash, never deleted while rows hold them), so
    nothing is copied on disk; the new application is the producer's to update before it submits.
    """
    assert source.id is not None and target.id is not None  # noqa: S101 - loaded from the database
    target.product_name, target.group = source.product_name, source.group
    target.description = source.description
    criteria = {criterion.key for criterion in criteria_from_json(call.criteria)}
    kept = {key: points for key, points in self_scores(source).items() if key in criteria}
    target.self_scores = json.dumps(kept, ensure_ascii=False, sort_keys=True)
    target.updated_at = utcnow()
    items = {item.key for item in documents_from_json(call.documents)}
    carried = [ApplicationFile(application_id=target.id, document_key=f.document_key, filename=f.filename,
                               content_hash=f.content_hash, size=f.size, media_type=f.media_type)
               for f in application_files(session, source.id) if f.document_key in items]
    session.add_all([target, *carried])
    session.flush()
    return len(carried)


def attached_file(detail: ApplicationDetail, file_id: int, folder: Path) -> tuple[ApplicationFile, Path]:
    """One of the application's files and where its bytes are; NotFound for any other id."""
    found = next((f for f in detail.files if f.id == file_id), None)
    if found is None:
        raise NotFound("Không tìm thấy tệp này trong hồ sơ.")
    return found, stored_path(folder, found.content_hash, found.media_type)
