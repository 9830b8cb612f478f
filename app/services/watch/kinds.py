"""The kinds of watch-list alert and the days-before-the-end marks, with their Vietnamese words."""

from __future__ import annotations

from enum import StrEnum

from app.domain.messages import N_


class AlertKind(StrEnum):
    """What happened to a watched certificate (stored in the ledger, VARCHAR(20))."""

    ends_in_90 = "ends_in_90"
    ends_in_30 = "ends_in_30"
    ended = "ended"
    revoked = "revoked"
    reinstated = "reinstated"
    new_certificate = "new_certificate"

    @property
    def label(self) -> str:
        """The alert in a sentence's words (Vietnamese msgid)."""
        return _LABELS[self]


# The end marks, most urgent first: (days left at most, kind).
END_MARKS: tuple[tuple[int, AlertKind], ...] = (
    (0, AlertKind.ended), (30, AlertKind.ends_in_30), (90, AlertKind.ends_in_90))

_LABELS = {
    AlertKind.ends_in_90: N_("Còn 90 ngày (hoặc ít hơn) là hết hiệu lực"),
    AlertKind.ends_in_30: N_("Còn 30 ngày (hoặc ít hơn) là hết hiệu lực"),
    AlertKind.ended: N_("Đã hết hiệu lực"),
    AlertKind.revoked: N_("Đã bị thu hồi"),
    AlertKind.reinstated: N_("Đã được hủy thu hồi (còn hiệu lực trở lại)"),
    AlertKind.new_certificate: N_("Sản phẩm có giấy chứng nhận mới"),
}


def most_urgent_mark(days_left: int) -> AlertKind | None:
    """The most urgent end mark reached with `days_left` days to go (None: more than 90 days)."""
    for limit, kind in END_MARKS:
        if days_left <= limit:
            return kind
    return None
