"""What a visitor may say is wrong on a published record: the part of it, with its words."""

from __future__ import annotations

from enum import StrEnum

from app.domain.messages import N_


class CorrectionField(StrEnum):
    """The part of a record a correction report is about."""

    NAME = "ten"
    PRODUCER = "co_so"  # the producer's name or contacts
    ADDRESS = "dia_chi"
    CERTIFICATE = "chung_nhan"  # certificate number, level or dates
    PHOTO = "anh"
    OTHER = "khac"

    @property
    def label(self) -> str:
        """The part in words (a Vietnamese msgid, translated at the edge)."""
        return CORRECTION_FIELD_LABELS[self]


CORRECTION_FIELD_LABELS: dict[CorrectionField, str] = {
    CorrectionField.NAME: N_("Tên sản phẩm"),
    CorrectionField.PRODUCER: N_("Cơ sở sản xuất, số điện thoại, email hoặc trang web"),
    CorrectionField.ADDRESS: N_("Địa chỉ"),
    CorrectionField.CERTIFICATE: N_("Giấy chứng nhận: số, cấp, ngày cấp hoặc ngày hết hiệu lực"),
    CorrectionField.PHOTO: N_("Ảnh sản phẩm"),
    CorrectionField.OTHER: N_("Thông tin khác"),
}


def correction_field(value: str) -> CorrectionField | None:
    """The part posted as `value`; None for anything else."""
    try:
        return CorrectionField(value)
    except ValueError:
        return None
