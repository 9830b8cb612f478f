"""Signed watch-list links: each works for its own purpose only; a confirmation expires after 7 days."""

from __future__ import annotations

import time

import pytest

from app.services.watch.tokens import (
    CONFIRM_MAX_AGE,
    LinkClaim,
    LinkProblem,
    LinkPurpose,
    matches,
    read_link,
    sign_link,
)

SECRET = "khoa-bi-mat-thu-nghiem"  # noqa: S105 - tests only
KEY = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"


def test_a_link_reads_back_for_its_purpose_only() -> None:
    token = sign_link(
        secret=SECRET, purpose=LinkPurpose.confirm, list_id=7, feed_key=KEY, email="a@example.vn"
    )
    claim = read_link(token, secret=SECRET, purpose=LinkPurpose.confirm)
    assert claim == LinkClaim(list_id=7, key_part=KEY[:12], email="a@example.vn") and matches(claim, KEY)
    assert not matches(claim, "another-list-key-0000000")
    assert read_link(token, secret=SECRET, purpose=LinkPurpose.unsubscribe) is LinkProblem.forged
    assert read_link(token, secret="khac", purpose=LinkPurpose.confirm) is LinkProblem.forged
    assert read_link(token[:-2], secret=SECRET, purpose=LinkPurpose.confirm) is LinkProblem.forged
    assert read_link("", secret=SECRET, purpose=LinkPurpose.confirm) is LinkProblem.forged


def test_a_confirmation_expires_after_seven_days_a_manage_link_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    signed_at = time.time() - CONFIRM_MAX_AGE.total_seconds() - 60
    real = time.time
    monkeypatch.setattr(time, "time", lambda: signed_at)
    confirm = sign_link(
        secret=SECRET, purpose=LinkPurpose.confirm, list_id=1, feed_key=KEY, email="a@example.vn"
    )
    manage = sign_link(secret=SECRET, purpose=LinkPurpose.manage, list_id=1, feed_key=KEY)
    monkeypatch.setattr(time, "time", real)
    assert read_link(confirm, secret=SECRET, purpose=LinkPurpose.confirm) is LinkProblem.expired
    assert isinstance(read_link(manage, secret=SECRET, purpose=LinkPurpose.manage), LinkClaim)
