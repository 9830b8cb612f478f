"""The office appoints a round's jurors by name and e-mail, or removes one; audited.

Who may is who may manage the round's call (`managed_round`: the office of a provincial round's province,
the ministry for every round). A new address gets a juror account with a one-time password, shown once to
the office to pass on and replaced at the first sign-in (the same mechanism as the administrators' account
register: nothing secret is mailed); the juror is mailed that it was appointed and where to sign in. An
address that already has a juror account is only appointed; one of an office or administrator account
is refused (a juror's account is its own). Helpers flush; the route commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.domain.permissions import Role
from app.errors import InvalidInput, NotFound
from app.models import RoundJuror, SelectionRound, User
from app.services.catalog.rounds import round_place
from app.services.mail import queue_mail
from app.services.office.account import Account
from app.services.office.accounts import temporary_password
from app.services.office.users import create_user, normalize_email
from app.services.records.audit_log import record_change

INVITATION_TEMPLATE = "juror_appointed"
MAX_NAME = 200  # User.name


@dataclass(frozen=True, slots=True)
class Appointment:
    """A juror of a round: the appointment and the account."""

    appointment: RoundJuror
    user: User


def round_jurors(*, session: Session, round_id: int) -> list[Appointment]:
    """The round's jurors, by name."""
    rows = session.exec(select(RoundJuror, User).join(User, col(User.id) == RoundJuror.user_id)
                        .where(RoundJuror.round_id == round_id).order_by(col(User.name), col(User.id))).all()
    return [Appointment(appointment=a, user=u) for a, u in rows]


def _juror_account(session: Session, *, name: str, email: str) -> tuple[User, str | None]:
    """The juror account of `email`, made with a one-time password when new (returned), refused when the
    address belongs to office staff."""
    address = normalize_email(email)
    existing = session.exec(select(User).where(User.email == address)).first()
    if existing is not None:
        if existing.role != Role.juror:
            raise InvalidInput("Địa chỉ này thuộc một tài khoản cán bộ; giám khảo cần một e-mail riêng.",
                               field="email")
        if not existing.is_active:
            raise InvalidInput("Tài khoản giám khảo này đang bị khóa; hãy nhờ quản trị viên mở lại.",
                               field="email")
        return existing, None
    if not name.strip():
        raise InvalidInput("Vui lòng nhập họ và tên giám khảo.", field="name")
    if len(name.strip()) > MAX_NAME:
        raise InvalidInput(f"Họ và tên dài tối đa {MAX_NAME} ký tự.", field="name")
    password = temporary_password()
    user = create_user(session=session, email=address, name=name, password=password, role=Role.juror,
                       province=None)
    user.must_change_password = True
    session.add(user)
    return user, password


def appoint_juror(*, session: Session, account: Account, selection_round: SelectionRound, name: str,
                  email: str, base_url: str) -> tuple[User, str | None]:
    """Appoint the juror of `email` to the round (a new account when needed); its one-time password if new."""
    assert selection_round.id is not None  # noqa: S101 - loaded from the database
    user, password = _juror_account(session, name=name, email=email)
    assert user.id is not None  # noqa: S101 - flushed
    taken = session.exec(select(RoundJuror).where(RoundJuror.round_id == selection_round.id,
                                                  RoundJuror.user_id == user.id)).first()
    if taken is not None:
        raise InvalidInput("Người này đã là giám khảo của đợt.", field="email")
    appointment = RoundJuror(round_id=selection_round.id, user_id=user.id, appointed_by=account.id)
    session.add(appointment)
    session.flush()
    record_change(session=session, account=account, action="juror.appoint", entity="round_juror",
                  entity_id=appointment.id, province_id=selection_round.province_id, before=None,
                  after={"round_id": selection_round.id, "user_id": user.id, "email": user.email,
                         "new_account": password is not None})
    context: dict[str, object] = {"name": user.name, "place": round_place(session, selection_round),
                                  "year": selection_round.year, "new_account": password is not None,
                                  "url": f"{base_url.rstrip('/')}/giam-khao"}
    queue_mail(session=session, to=user.email, template=INVITATION_TEMPLATE, context=context,
               dedupe_key=f"juror-appointed:{appointment.id}")
    return user, password


def remove_juror(*, session: Session, account: Account, selection_round: SelectionRound,
                 user_id: int) -> None:
    """End the juror's appointment to the round (its reviews stay, for the record, but no longer count).

    Removing a juror already removed does nothing (a second click, a second office user); an id that is no
    juror account is NotFound."""
    juror = session.get(User, user_id)
    if juror is None or juror.role != Role.juror:
        raise NotFound("Không tìm thấy giám khảo này.")
    appointment = session.exec(select(RoundJuror).where(RoundJuror.round_id == selection_round.id,
                                                        RoundJuror.user_id == user_id)).first()
    if appointment is None:
        return
    record_change(session=session, account=account, action="juror.remove", entity="round_juror",
                  entity_id=appointment.id, province_id=selection_round.province_id,
                  before={"round_id": selection_round.id, "user_id": user_id}, after=None)
    session.delete(appointment)
    session.flush()
