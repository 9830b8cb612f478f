"""The audit log page: who changed what and when, with a readable before/after of changed fields."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.domain.groups import GROUP_LABELS
from app.domain.levels import LEVEL_LABELS
from app.domain.parsing import LEGAL_FORM_LABELS
from app.domain.states import PRODUCT_STATE_LABELS, REPORT_STATE_LABELS
from app.domain.validity import in_vietnam
from app.models import AuditEntry, User
from app.services.office.account import Account

PAGE_SIZE = 50
ENTITY_LABELS: dict[str, str] = {
    "product": "Sản phẩm", "producer": "Cơ sở sản xuất", "certificate": "Giấy chứng nhận",
    "round": "Đợt bình chọn", "user": "Tài khoản", "import": "Nhập danh sách", "image": "Ảnh",
    "report": "Báo cáo vi phạm", "application": "Hồ sơ bình chọn", "round_juror": "Giám khảo của đợt",
    "juror_review": "Phiếu chấm điểm",
}
ACTION_LABELS: dict[str, str] = {
    "product.update": "Sửa sản phẩm", "product.publish": "Công bố sản phẩm",
    "product.withdraw": "Rút sản phẩm khỏi danh mục", "producer.update": "Sửa cơ sở sản xuất",
    "certificate.update": "Sửa giấy chứng nhận", "certificate.revoke": "Thu hồi giấy chứng nhận",
    "certificate.reinstate": "Hủy thu hồi giấy chứng nhận",
    "user.create": "Thêm tài khoản", "user.update": "Đổi vai trò hoặc tỉnh của tài khoản",
    "user.deactivate": "Khóa tài khoản", "user.reactivate": "Mở khóa tài khoản",
    "user.reset_password": "Đặt lại mật khẩu", "product_image.bulk_add": "Gắn ảnh hàng loạt",
    "report.state": "Chuyển trạng thái báo cáo vi phạm",
    "application.create": "Cơ sở bắt đầu hồ sơ", "application.update": "Cơ sở sửa hồ sơ",
    "application.file_add": "Cơ sở thêm tệp vào hồ sơ", "application.file_remove": "Cơ sở gỡ tệp khỏi hồ sơ",
    "application.submit": "Cơ sở nộp hồ sơ", "application.return": "Trả lại hồ sơ để bổ sung",
    "application.accept": "Tiếp nhận hồ sơ",
    "juror.appoint": "Cử giám khảo", "juror.remove": "Thôi cử giám khảo",
    "review.score": "Giám khảo chấm điểm", "review.conflict": "Giám khảo báo xung đột lợi ích",
    "application.decision": "Ghi quyết định của hội đồng",
}
FIELD_LABELS: dict[str, str] = {
    "name": "Tên", "group": "Nhóm sản phẩm", "description": "Mô tả", "state": "Trạng thái",
    "legal_form": "Loại hình", "address": "Địa chỉ", "phone": "Điện thoại", "email": "Email",
    "website": "Website", "number": "Số giấy chứng nhận", "issued_on": "Ngày cấp",
    "valid_until": "Hiệu lực đến", "revoked_on": "Ngày thu hồi", "revoked_reason": "Lý do thu hồi",
    "score": "Điểm", "round_id": "Đợt bình chọn", "level": "Cấp", "slug": "Đường dẫn",
    "role": "Vai trò", "province_id": "Tỉnh/thành phố", "is_active": "Đang hoạt động",
    "must_change_password": "Phải đổi mật khẩu", "note": "Ghi chú",
}
_HIDDEN = {"name_key", "number_key", "id"}
_CODES: dict[str, dict[str, str]] = {
    "group": {g.value: label for g, label in GROUP_LABELS.items()},
    "level": {lv.value: label for lv, label in LEVEL_LABELS.items()},
    "legal_form": {f.value: label for f, label in LEGAL_FORM_LABELS.items()},
    # Product and report states share the column name; their values differ, so one mapping reads both.
    "state": {s.value: label for s, label in (*PRODUCT_STATE_LABELS.items(), *REPORT_STATE_LABELS.items())},
}
_DATES = {"issued_on", "valid_until", "revoked_on", "decision_date"}


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One changed field, both values as text."""

    label: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One entry as the page shows it."""

    entry: AuditEntry
    who: str
    when: str
    what: str
    entity: str
    changes: list[FieldChange]


@dataclass(frozen=True, slots=True)
class AuditLog:
    """A page of entries, the filters asked and the users to filter by."""

    rows: list[AuditRow]
    page: int
    pages: int
    entity: str
    user_id: int | None
    users: list[User]


def vietnam_time(moment: datetime) -> str:
    """dd/mm/yyyy HH:MM in Vietnam (SQLite hands back naive UTC)."""
    return in_vietnam(moment).strftime("%d/%m/%Y %H:%M")


def _text(field: str, value: Any) -> str:
    """A stored value as people read it: labels for codes, dd/mm/yyyy for dates, '(trống)' for none."""
    if value is None or value == "":
        return "(trống)"
    if field in _CODES:
        return _CODES[field].get(str(value), str(value))
    if field in _DATES and isinstance(value, str) and len(value) == 10:
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
    return str(value)


def _load(raw: str | None) -> dict[str, Any]:
    """A stored snapshot (JSON object) or an empty one."""
    value = json.loads(raw) if raw else {}
    return value if isinstance(value, dict) else {}


def field_changes(before: str | None, after: str | None) -> list[FieldChange]:
    """The fields whose value differs between two snapshots, in a stable order."""
    old, new = _load(before), _load(after)
    names = [n for n in dict.fromkeys([*old, *new]) if n not in _HIDDEN and old.get(n) != new.get(n)]
    return [FieldChange(label=FIELD_LABELS.get(n, n), before=_text(n, old.get(n)), after=_text(n, new.get(n)))
            for n in names]


def audit_log(*, session: Session, account: Account, entity: str = "", user_id: int | None = None,
              page: int = 1) -> AuditLog:
    """Newest entries first, filtered by entity and user: for administrators only."""
    account.require_admin()
    conditions = []
    if entity:
        conditions.append(col(AuditEntry.entity) == entity)
    if user_id is not None:
        conditions.append(col(AuditEntry.user_id) == user_id)
    total = int(session.exec(select(sa.func.count()).select_from(AuditEntry).where(*conditions)).one())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    entries = session.exec(
        select(AuditEntry).where(*conditions).order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    users = list(session.exec(select(User).order_by(col(User.name), col(User.id))).all())
    names = {u.id: u.name for u in users}
    rows = [AuditRow(
        entry=e, who=names.get(e.user_id, "Hệ thống") if e.user_id is not None else "Hệ thống",
        when=vietnam_time(e.at), what=ACTION_LABELS.get(e.action, e.action),
        entity=ENTITY_LABELS.get(e.entity, e.entity), changes=field_changes(e.before, e.after),
    ) for e in entries]
    return AuditLog(rows=rows, page=page, pages=pages, entity=entity, user_id=user_id, users=users)
