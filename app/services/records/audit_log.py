"""The audit log: every change by an office account, with the values before and after.

Services call `record_change` inside the same transaction as the change itself, so a change
and its audit entry commit or roll back together.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, SQLModel

from app.models import AuditEntry
from app.services.office.account import Account

_NOT_AUDITED = {"password_hash", "created_at", "updated_at"}


def snapshot(row: SQLModel) -> dict[str, Any]:
    """A row's columns as JSON-ready values (dates as ISO text); secrets left out."""
    values: dict[str, Any] = {}
    for name in type(row).model_fields:
        if name in _NOT_AUDITED:
            continue
        value = getattr(row, name, None)
        values[name] = value.isoformat() if isinstance(value, date | datetime) else value
    return values


def _dump(values: dict[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)


def record_change(
    *,
    session: Session,
    account: Account | None,
    action: str,
    entity: str,
    entity_id: int | None,
    province_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    """Add an audit entry (the caller's transaction commits it with the change)."""
    entry = AuditEntry(
        user_id=account.id if account else None, action=action, entity=entity, entity_id=entity_id,
        province_id=province_id, before=_dump(before), after=_dump(after),
    )
    session.add(entry)
    return entry
