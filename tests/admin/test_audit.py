"""The audit log page: administrators only, newest first, Vietnam time, readable diffs, filters."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import AuditEntry
from app.services.records.audit_page import field_changes, vietnam_time
from tests.factories import csrf_of, make_product, make_user, sign_in


def html(response: object) -> BeautifulSoup:
    """Parse a response body."""
    return BeautifulSoup(response.text, "html.parser")  # type: ignore[attr-defined]


def entry(session: Session, *, at: datetime, user_id: int | None, action: str = "product.update",
          entity: str = "product", before: dict[str, object] | None = None,
          after: dict[str, object] | None = None) -> AuditEntry:
    """An audit entry written directly, at a fixed instant."""
    row = AuditEntry(at=at, user_id=user_id, action=action, entity=entity, entity_id=1,
                     before=json.dumps(before) if before else None,
                     after=json.dumps(after) if after else None)
    session.add(row)
    session.commit()
    return row


def test_office_may_not_read_the_audit_log(client: TestClient, session: Session) -> None:
    sign_in(client, make_user(session, province_slug="ha-noi"))
    response = client.get("/quan-ly/nhat-ky")
    assert response.status_code == 403
    assert not html(response).select(".audit-entry")
    assert not html(client.get("/quan-ly/san-pham")).select('a[href="/quan-ly/nhat-ky"]')


def test_admin_sees_who_when_what_and_the_diff_newest_first(client: TestClient, session: Session) -> None:
    admin = make_user(session, role="admin")
    clerk = make_user(session, province_slug="ha-noi")
    entry(session, at=datetime(2026, 1, 1, 17, 30, tzinfo=UTC), user_id=clerk.id,
          before={"name": "Mật ong", "group": "che_bien", "description": "Cũ"},
          after={"name": "Mật ong rừng", "group": "khac", "description": "Cũ"})
    entry(session, at=datetime(2026, 2, 3, 1, 5, tzinfo=UTC), user_id=admin.id, action="certificate.revoke",
          entity="certificate", before={"revoked_on": None}, after={"revoked_on": "2026-02-03"})
    sign_in(client, admin)
    soup = html(client.get("/quan-ly/nhat-ky"))
    items = soup.select(".audit-entry")
    assert len(items) == 2
    newest, oldest = items
    assert "03/02/2026 08:05" in newest.get_text() and admin.name in newest.get_text()
    assert "Thu hồi giấy chứng nhận" in newest.get_text()
    assert [td.get_text() for td in newest.select("tbody td")] == ["(trống)", "03/02/2026"]
    assert "02/01/2026 00:30" in oldest.get_text() and clerk.name in oldest.get_text()
    rows = {tr.th.get_text(): [td.get_text() for td in tr.select("td")]  # type: ignore[union-attr]
            for tr in oldest.select("tbody tr")}
    assert rows == {"Tên": ["Mật ong", "Mật ong rừng"],
                    "Nhóm sản phẩm": ["Chế biến nông, lâm, thủy sản và thực phẩm", "Sản phẩm khác"]}


def test_filters_by_entity_and_user(client: TestClient, session: Session) -> None:
    admin = make_user(session, role="admin")
    clerk = make_user(session, province_slug="ha-noi")
    entry(session, at=datetime(2026, 1, 1, tzinfo=UTC), user_id=clerk.id, after={"name": "A"})
    entry(session, at=datetime(2026, 1, 2, tzinfo=UTC), user_id=admin.id, entity="certificate",
          action="certificate.update", after={"number": "1"})
    sign_in(client, admin)
    by_entity = html(client.get("/quan-ly/nhat-ky", params={"entity": "certificate"})).select(".audit-entry")
    assert len(by_entity) == 1 and "Sửa giấy chứng nhận" in by_entity[0].get_text()
    by_user = html(client.get("/quan-ly/nhat-ky", params={"user": str(clerk.id)})).select(".audit-entry")
    assert len(by_user) == 1 and clerk.name in by_user[0].get_text()
    odd = client.get("/quan-ly/nhat-ky", params={"entity": "<x>", "user": "abc", "page": "-3"})
    assert odd.status_code == 200 and len(html(odd).select(".audit-entry")) == 2


def test_an_edit_through_the_pages_appears_in_the_log(client: TestClient, session: Session) -> None:
    product = make_product(session, name="Nón lá cũ", province_slug="hue")
    session.commit()
    admin = make_user(session, role="admin")
    sign_in(client, admin)
    form = {"name": "Nón lá <b>Huế</b>", "group": "thu_cong_my_nghe", "producer_name": "Cơ sở nón lá",
            "csrf_token": csrf_of(client)}
    saved = client.post(f"/quan-ly/san-pham/{product.id}", data=form, follow_redirects=False)
    assert saved.status_code == 303
    soup = html(client.get("/quan-ly/nhat-ky", params={"entity": "product"}))
    cells = [td.get_text() for td in soup.select(".audit-entry tbody td")]
    assert "Nón lá cũ" in cells and "Nón lá <b>Huế</b>" in cells
    assert not soup.select(".audit-entry b")  # stored markup is shown as text


def test_field_changes_leaves_out_internal_keys_and_labels_codes() -> None:
    before = json.dumps({"name": "A", "name_key": "a", "legal_form": None, "issued_on": "2023-12-15"})
    after = json.dumps({"name": "A", "name_key": "a", "legal_form": "htx", "issued_on": "2024-01-02"})
    changes = [(c.label, c.before, c.after) for c in field_changes(before, after)]
    assert changes == [("Loại hình", "(trống)", "Hợp tác xã"), ("Ngày cấp", "15/12/2023", "02/01/2024")]
    assert field_changes(None, None) == []


def test_vietnam_time_reads_naive_values_as_utc() -> None:
    assert vietnam_time(datetime(2026, 12, 31, 17, 0)) == "01/01/2027 00:00"
    assert vietnam_time(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == "31/12/2026 23:59"
