"""The programme's own published totals, beside which the register's figures are read.

Source: the Ministry of Industry and Trade's reports of the programme 2012–2022 (the rural
industrial promotion programme's summary of the typical rural industrial products selected in
that decade): 2,934 district, 5,486 provincial, 1,632 regional and 512 national products. They
count recognitions in rounds, so the register is compared with its certificates of those levels
issued in those years. Kept here only: the statistics page, its CSV and the office workbook read them.
"""

from __future__ import annotations

from app.domain.levels import Level

PUBLISHED_FIRST_YEAR = 2012
PUBLISHED_LAST_YEAR = 2022
PUBLISHED_TOTALS: dict[Level, int] = {
    Level.huyen: 2934,
    Level.tinh: 5486,
    Level.khu_vuc: 1632,
    Level.quoc_gia: 512,
}


def share_percent(part: int, whole: int) -> float:
    """`part` as a percentage of `whole` (0 when there is no whole)."""
    return 100.0 * part / whole if whole > 0 else 0.0
