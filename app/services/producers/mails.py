"""The producer account's e-mails: a confirmation or sign-in link, and the office's decision on a claim."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app.domain.states import ApplicationState, ClaimState
from app.models import (
    Application,
    ApplicationEvent,
    Certificate,
    MailMessage,
    Producer,
    ProducerAccount,
    ProducerClaim,
)
from app.services.mail import queue_mail
from app.services.producers.tokens import LIFETIMES, LinkPurpose, sign_link

LINK_TEMPLATE = "producer_link"
DECISION_TEMPLATE = "producer_claim_decided"
APPLICATION_TEMPLATE = "application_decided"
NOMINATION_TEMPLATE = "application_nominated"
AREA_PATH = "/tai-khoan"
# What each kind of link message says; the path its token is appended to.
LINK_KINDS = {
    "confirm": (LinkPurpose.confirm, f"{AREA_PATH}/xac-nhan/"),
    "existing": (LinkPurpose.sign_in, f"{AREA_PATH}/dang-nhap/"),
    "sign_in": (LinkPurpose.sign_in, f"{AREA_PATH}/dang-nhap/"),
    "password": (LinkPurpose.password, f"{AREA_PATH}/dat-mat-khau/"),
}


def queue_link(*, session: Session, account: ProducerAccount, kind: str, base_url: str,
               secret: str) -> MailMessage | None:
    """Mail `account` a fresh one-time link: `confirm` (new address), `existing` (registered again while
    it has an account), `sign_in` (asked for a link) or `password` (a first password, asked for when signed
    in)."""
    purpose, path = LINK_KINDS[kind]
    token, nonce = sign_link(secret=secret, purpose=purpose, account=account)
    minutes = int(LIFETIMES[purpose].total_seconds() // 60)
    context: dict[str, object] = {"kind": kind, "name": account.name, "hours": minutes // 60,
                                  "minutes": minutes, "url": f"{base_url.rstrip('/')}{path}{token}"}
    return queue_mail(session=session, to=account.email, template=LINK_TEMPLATE, context=context,
                      dedupe_key=f"{purpose.value}:{nonce}")


def queue_claim_decision(*, session: Session, account: ProducerAccount, claim: ProducerClaim,
                         producer: Producer, base_url: str) -> MailMessage | None:
    """Tell the producer how the office decided its claim (once per claim)."""
    context: dict[str, object] = {"name": account.name, "producer": producer.name,
                                  "approved": claim.state == ClaimState.APPROVED, "note": claim.note,
                                  "url": f"{base_url.rstrip('/')}{AREA_PATH}"}
    return queue_mail(session=session, to=account.email, template=DECISION_TEMPLATE, context=context,
                      dedupe_key=f"producer-claim:{claim.id}")


def queue_application_decision(*, session: Session, account: ProducerAccount, application: Application,
                               event: ApplicationEvent, place: str, base_url: str) -> MailMessage | None:
    """Tell the producer the office accepted its application or returned it with a note (once per move)."""
    context: dict[str, object] = {"name": account.name, "product": application.product_name, "place": place,
                                  "accepted": event.to_state == ApplicationState.ACCEPTED, "note": event.note,
                                  "url": f"{base_url.rstrip('/')}{AREA_PATH}/ho-so/{application.id}"}
    return queue_mail(session=session, to=account.email, template=APPLICATION_TEMPLATE, context=context,
                      dedupe_key=f"application:{application.id}:{event.id}")


def queue_nomination(*, session: Session, account: ProducerAccount, application: Application,
                     certificate: Certificate, closes_on: date, base_url: str) -> MailMessage | None:
    """Tell the producer its product was nominated to the next level: the application to update and submit."""
    context: dict[str, object] = {"name": account.name, "product": application.product_name,
                                  "code": certificate.code, "closes_on": closes_on.strftime("%d/%m/%Y"),
                                  "url": f"{base_url.rstrip('/')}{AREA_PATH}/ho-so/{application.id}"}
    return queue_mail(session=session, to=account.email, template=NOMINATION_TEMPLATE, context=context,
                      dedupe_key=f"application-nominated:{application.id}")
