"""A watch list as a private Atom feed (its alert history) and an iCalendar file (its end dates).

The calendar follows RFC 5545 by hand (a few properties, no library at run time): CRLF line ends,
lines folded at 75 octets without splitting a UTF-8 character, TEXT values escaped. Each
certificate is one all-day event on its valid-until date, with a UID stable per certificate (so a
corrected date moves the event instead of adding one) and reminders 90 and 30 days before.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from app.domain.codes import display_code
from app.models import Certificate, Product, WatchAlert, WatchList
from app.services.catalog.feeds import Feed, FeedEntry, tag_uri
from app.services.watch.kinds import AlertKind
from app.services.watch.table import WatchRow

FEED_SIZE = 100
REMINDER_DAYS = (90, 30)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC timestamps."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def alerts_feed(*, session: Session, watch: WatchList, base_url: str) -> Feed:
    """The list's announced alerts, newest first."""
    rows = session.exec(
        select(WatchAlert, Certificate, Product)
        .join(Certificate, col(Certificate.id) == col(WatchAlert.certificate_id))
        .join(Product, col(Product.id) == col(Certificate.product_id))
        .where(WatchAlert.list_id == watch.id, col(WatchAlert.notified))
        .order_by(col(WatchAlert.id).desc()).limit(FEED_SIZE)).all()
    entries = [FeedEntry(id=tag_uri(base_url, f"watch-alert/{alert.id}"),
                         title=f"{product.name} – {AlertKind(alert.kind).label}",
                         link=f"{base_url}/v/{certificate.code}", updated=_aware(alert.created_at),
                         published=alert.day,
                         summary=(f"{product.name}, mã {display_code(certificate.code)}: "
                                  f"{AlertKind(alert.kind).label} "
                                  f"(hiệu lực đến {certificate.valid_until:%d/%m/%Y})."))
               for alert, certificate, product in rows]
    fallback = _aware(watch.confirmed_at or watch.created_at)
    return Feed(id=tag_uri(base_url, f"watch/{watch.feed_key}"),
                title="Danh sách theo dõi giấy chứng nhận CNNT",
                self_url=f"{base_url}/theo-doi/{watch.feed_key}.atom", alternate=f"{base_url}/theo-doi",
                updated=max((e.updated for e in entries), default=fallback), entries=entries)


def escape_text(value: str) -> str:
    """An RFC 5545 TEXT value: backslash, semicolon, comma and newline escaped."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """A content line folded at 75 octets (continuations start with a space), never inside a character."""
    parts: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # a continuation's leading space counts
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _event(row: WatchRow, *, host: str, stamp: str, base_url: str) -> list[str]:
    """One all-day VEVENT on the valid-until date, with its reminders."""
    end: date = row.certificate.valid_until
    summary = f"Hết hiệu lực GCN CNNT: {row.product.name} ({row.code})"
    lines = ["BEGIN:VEVENT", f"UID:certificate-{row.certificate.code}@{host}", f"DTSTAMP:{stamp}",
             f"DTSTART;VALUE=DATE:{end:%Y%m%d}", f"DTEND;VALUE=DATE:{end + timedelta(days=1):%Y%m%d}",
             f"SUMMARY:{escape_text(summary)}",
             f"DESCRIPTION:{escape_text(f'Số {row.number}; {row.status.label}; đến {row.valid_until}.')}",
             f"URL:{base_url}/v/{row.certificate.code}", "TRANSP:TRANSPARENT"]
    for days in REMINDER_DAYS:
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"TRIGGER:-P{days}D",
                  f"DESCRIPTION:{escape_text(f'Còn {days} ngày: {summary}')}", "END:VALARM"]
    return [*lines, "END:VEVENT"]


def calendar(*, rows: list[WatchRow], base_url: str, now: datetime) -> str:
    """The VCALENDAR of the list's certificates' end dates (revoked ones left out)."""
    host = base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//CNNT tieu bieu//Theo doi GCN//VI",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:Hết hiệu lực giấy chứng nhận CNNT"]
    for row in rows:
        if row.certificate.revoked_on is None:
            lines += _event(row, host=host, stamp=stamp, base_url=base_url)
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)
