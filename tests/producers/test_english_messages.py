"""The producer services' messages follow the page's language: raised through gettext while the request runs.

The English catalogue is the lead's to fill after a merge, so these tests swap in a stand-in that marks
every English answer: a message shown without its mark on an /en page did not go through gettext.
"""

from __future__ import annotations

import pytest
from babel.support import NullTranslations
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import i18n
from tests.factories import csrf_of, make_product
from tests.producers.helpers import PASSWORD, signed_up

EMAIL = "co.so.tieng.anh@example.vn"


class _Marked(NullTranslations):
    """Every message "translated" as itself behind a mark."""

    def gettext(self, message: str) -> str:
        return f"[en] {message}"


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> None:
    """English answers from the stand-in; Vietnamese as always."""
    monkeypatch.setattr(i18n, "translations", lambda lang: _Marked() if lang == "en" else NullTranslations())


def _messages(page: str) -> list[str]:
    """The error texts a form page shows (the error summary's links and the notice)."""
    soup = BeautifulSoup(page, "html.parser")
    return [node.get_text(" ", strip=True) for node in soup.select("[role=alert] li a, #login-error")]


def _field_error(page: str, name: str) -> str:
    """The message shown beside a field (without its screen-reader prefix)."""
    node = BeautifulSoup(page, "html.parser").select_one(f"#{name}-error")
    assert node is not None, page
    for hidden in node.select(".visually-hidden"):
        hidden.decompose()
    return node.get_text(" ", strip=True)


def _post(client: TestClient, path: str, data: dict[str, str]) -> str:
    """Post a form with the session's CSRF token; the page that comes back."""
    answer = client.post(path, data={**data, "csrf_token": csrf_of(client, path)}, follow_redirects=False)
    assert answer.status_code in {401, 422}, answer.status_code
    return answer.text


@pytest.mark.usefixtures("marked")
def test_password_messages_on_english_pages(client: TestClient, session: Session) -> None:
    signed_up(client, session, email=EMAIL)
    wrong = _post(client, "/en/tai-khoan/mat-khau", {"current": "sai-mat-khau-1", "new": "mat-khau-moi-456",
                                                     "repeat": "mat-khau-moi-456"})
    assert _messages(wrong) == ["[en] Mật khẩu hiện tại không đúng."]
    short = _post(client, "/en/tai-khoan/mat-khau", {"current": PASSWORD, "new": "ngan", "repeat": "ngan"})
    assert _messages(short) == ["[en] Mật khẩu cần ít nhất 10 ký tự."]
    vietnamese = _post(client, "/tai-khoan/mat-khau", {"current": "sai-mat-khau-1", "new": "mat-khau-moi-456",
                                                       "repeat": "mat-khau-moi-456"})
    assert _messages(vietnamese) == ["Mật khẩu hiện tại không đúng."]


@pytest.mark.usefixtures("marked")
def test_sign_in_and_claim_messages_on_english_pages(client: TestClient, session: Session) -> None:
    account = signed_up(client, session, email=EMAIL)
    account.producer_id = make_product(session, name="Nước mắm Phú Quốc").producer_id
    session.add(account)
    session.commit()
    claim = _post(client, "/en/tai-khoan/nhan-co-so",
                  {"producer": str(account.producer_id), "message": "Mã số thuế 0101234567"})
    assert _field_error(claim, "producer") == "[en] Tài khoản của bạn đã gắn với một cơ sở."
    client.cookies.clear()
    refused = _post(client, "/en/tai-khoan/dang-nhap", {"email": EMAIL, "password": "sai-mat-khau-1"})
    assert _messages(refused) == ["[en] Email hoặc mật khẩu không đúng."]
