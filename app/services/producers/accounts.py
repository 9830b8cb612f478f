"""Producer accounts as use-cases: register, confirm (choosing a password), ask for a link, sign in and out,
change the password or set a first one by a mailed link.

Services flush, never commit. No answer tells whether an address has an account: registering an
address that has one mails its holder a sign-in link instead, and asking for a link for an unknown
address sends nothing; the route shows the same page either way. Links are spent once, in the
transaction that uses them (app/services/verification/used_tokens.py). Messages are raised in the
page's language (gettext while the request runs), as the public services' are.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.domain.messages import N_
from app.errors import InvalidInput
from app.i18n import gettext
from app.models import ProducerAccount, utcnow
from app.services.office.passwords import hash_password, password_problem, verify_password
from app.services.office.users import LOGIN_FAILED, normalize_email
from app.services.producers.mails import queue_link
from app.services.producers.tokens import (
    LIFETIMES,
    LinkClaim,
    LinkProblem,
    LinkPurpose,
    fingerprint,
    read_link,
)
from app.services.records.audit_log import record_change
from app.services.verification.used_tokens import spend_token, was_spent

WRONG_CURRENT = N_("Mật khẩu hiện tại không đúng.")


def account_by_email(*, session: Session, email: str) -> ProducerAccount | None:
    """The account registered with this address (compared case-insensitively)."""
    query = select(ProducerAccount).where(ProducerAccount.email == normalize_email(email))
    return session.exec(query).first()


def register(*, session: Session, name: str, email: str, base_url: str, secret: str) -> None:
    """Register an address, or answer the holder of one already registered, by e-mail only.

    New address: an unconfirmed account and its confirmation link. Unconfirmed account: the name is
    replaced, earlier links end (their fingerprint changes) and a new link goes out. Confirmed account:
    nothing changes; its holder gets a sign-in link. No password here: only whoever holds the mailbox
    chooses one, when confirming (confirm_address), so registering someone else's address gives nothing.
    """
    account = account_by_email(session=session, email=email)
    if account is not None and account.confirmed_at is not None:
        queue_link(session=session, account=account, kind="existing", base_url=base_url, secret=secret)
        return
    if account is None:
        account = ProducerAccount(email=normalize_email(email), name=name)
    else:
        account.name, account.session_version = name, account.session_version + 1
    session.add(account)
    session.flush()
    queue_link(session=session, account=account, kind="confirm", base_url=base_url, secret=secret)


def request_link(*, session: Session, email: str, base_url: str, secret: str) -> None:
    """Mail a sign-in link (a confirmation link while the address is unconfirmed); unknown: nothing."""
    account = account_by_email(session=session, email=email)
    if account is None or not account.is_active:
        return
    kind = "sign_in" if account.confirmed_at is not None else "confirm"
    queue_link(session=session, account=account, kind=kind, base_url=base_url, secret=secret)


def account_for_link(*, session: Session, token: str, purpose: LinkPurpose,
                     secret: str) -> tuple[ProducerAccount, LinkClaim] | LinkProblem:
    """The account a link names while the link can still be used, or why it cannot (nothing spent)."""
    claim = read_link(token, secret=secret, purpose=purpose)
    if isinstance(claim, LinkProblem):
        return claim
    account = session.get(ProducerAccount, claim.account_id)
    if account is None or not account.is_active or claim.fingerprint != fingerprint(account) \
            or was_spent(session=session, nonce=claim.nonce):
        return LinkProblem.used
    return account, claim


def use_link(*, session: Session, token: str, secret: str) -> ProducerAccount | LinkProblem:
    """Spend a sign-in link and sign its account in. Audited."""
    account = _spend(session=session, token=token, purpose=LinkPurpose.sign_in, secret=secret)
    if not isinstance(account, LinkProblem):
        _audit(session, account, "producer.sign_in_link")
    return account


def confirm_address(*, session: Session, token: str, secret: str,
                    password: str) -> ProducerAccount | LinkProblem:
    """Spend a confirmation link: the address is confirmed with the password chosen on the link's page
    (none: sign-in by links only) and the account signed in. Audited.

    The password is the mailbox holder's choice, made here: no hash from before the confirmation
    survives it. A password that breaks the rule raises InvalidInput before the link is spent.
    """
    if password:
        _check_password(password, field="password")
    account = _spend(session=session, token=token, purpose=LinkPurpose.confirm, secret=secret)
    if isinstance(account, LinkProblem):
        return account
    first = account.confirmed_at is None
    if password or first:  # a later confirmation link without a password keeps the one chosen before
        account.password_hash = hash_password(password) if password else ""
    if first:
        account.confirmed_at = utcnow()
    session.add(account)
    session.flush()
    _audit(session, account, "producer.confirmed" if first else "producer.sign_in_link")
    if password:
        _audit(session, account, "producer.password_set")
    return account


def _spend(*, session: Session, token: str, purpose: LinkPurpose,
           secret: str) -> ProducerAccount | LinkProblem:
    """Spend a link (once) and stamp its account's sign-in, or say why the link cannot be used."""
    found = account_for_link(session=session, token=token, purpose=purpose, secret=secret)
    if isinstance(found, LinkProblem):
        return found
    account, claim = found
    lifetime = LIFETIMES[purpose].total_seconds() + 120
    if not spend_token(session=session, nonce=claim.nonce, purpose=purpose.value, lifetime_s=lifetime):
        return LinkProblem.used
    account.last_login_at = utcnow()
    session.add(account)
    session.flush()
    return account


def authenticate(*, session: Session, email: str, password: str, refuse: bool = False) -> ProducerAccount:
    """The confirmed account for these credentials; InvalidInput otherwise, the same for every refusal.

    As for office users (app/services/office/users.authenticate): one Argon2 verification whatever
    the reason (unknown address, no password, unconfirmed, inactive, throttled), one message.
    """
    account = account_by_email(session=session, email=email)
    stored = account.password_hash if account is not None and account.password_hash and not refuse else None
    matches = verify_password(password, stored)
    if refuse or not matches or account is None or not account.is_active or account.confirmed_at is None:
        raise InvalidInput(gettext(LOGIN_FAILED))
    account.last_login_at = utcnow()
    session.add(account)
    return account


def change_password(*, session: Session, account: ProducerAccount, current: str, new: str,
                    refuse: bool = False) -> None:
    """Replace the password after checking the current one; every other session and link ends.

    As for a sign-in (authenticate): one Argon2 verification whatever the reason, and a throttled
    attempt (`refuse`) is refused exactly like a wrong password. The caller starts the current
    session afresh under the new session version, so it stays signed in.
    """
    stored = account.password_hash if account.password_hash and not refuse else None
    if not verify_password(current, stored) or refuse:
        raise InvalidInput(gettext(WRONG_CURRENT), field="current")
    _check_password(new, field="new")
    _replace_password(session, account, new)


def mail_password_link(*, session: Session, account: ProducerAccount, base_url: str, secret: str) -> None:
    """Mail an account signed in without a password a one-time link to choose one (the mailbox proves it)."""
    if account.password_hash:
        raise InvalidInput(gettext(N_("Tài khoản đã có mật khẩu: hãy đổi bằng mật khẩu hiện tại.")))
    queue_link(session=session, account=account, kind="password", base_url=base_url, secret=secret)


def set_password_by_link(*, session: Session, token: str, secret: str,
                         password: str) -> ProducerAccount | LinkProblem:
    """Spend a password link: the password chosen on its page replaces none; other sessions end. Audited.

    A missing or too short password raises InvalidInput before the link is spent, so it still works.
    """
    if not password:
        raise InvalidInput(gettext(N_("Vui lòng nhập mật khẩu mới.")), field="password")
    _check_password(password, field="password")
    account = _spend(session=session, token=token, purpose=LinkPurpose.password, secret=secret)
    if not isinstance(account, LinkProblem):
        _replace_password(session, account, password)
    return account


def _check_password(password: str, *, field: str) -> None:
    """InvalidInput (in the page's language) when `password` breaks the office's rule."""
    problem = password_problem(password)
    if problem:
        raise InvalidInput(gettext(problem), field=field)


def _replace_password(session: Session, account: ProducerAccount, password: str) -> None:
    """Store the new hash and end every other session and outstanding link (session_version). Audited."""
    account.password_hash = hash_password(password)
    account.session_version += 1
    session.add(account)
    session.flush()
    _audit(session, account, "producer.password_set")


def sign_out(*, session: Session, account_id: object, version: object) -> None:
    """End every session and outstanding link of the account a cookie names, if that cookie is current."""
    account = session.get(ProducerAccount, account_id) if isinstance(account_id, int) else None
    if account is not None and account.session_version == version:
        account.session_version += 1
        session.add(account)


def _audit(session: Session, account: ProducerAccount, action: str) -> None:
    """An audit entry of a producer's own action (no office user: the account id is in `after`)."""
    record_change(session=session, account=None, action=action, entity="producer_account",
                  entity_id=account.id, province_id=None, before=None,
                  after={"account_id": account.id, "producer_id": account.producer_id})
