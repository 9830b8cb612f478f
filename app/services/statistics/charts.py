"""Chart geometry for the statistics page: numbers in, coordinates out; the SVG is a Jinja macro.

Every chart is drawn in a viewBox 320 units wide and scales to the width of its box, so a
320 px phone shows it whole. Bars carry their number in text; lines differ by dash pattern as
well as colour, and each chart is followed by its data table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH = 320
ROW = 30  # a bar's row: its label above, the bar and its number below
BAR_ROOM = WIDTH - 64  # the longest bar leaves room for its number
LINE_HEIGHT = 180
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 36, WIDTH - 8, 8, LINE_HEIGHT - 20
MAX_X_LABELS = 6


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its number as shown, its top and its length in viewBox units."""

    label: str
    value_text: str
    top: int
    length: float
    kind: str  # a CSS modifier: the bar's colour, never its only meaning


@dataclass(frozen=True, slots=True)
class BarChart:
    """Horizontal bars, one row each, labelled with their numbers."""

    title: str
    bars: tuple[Bar, ...]
    width: int = WIDTH

    @property
    def height(self) -> int:
        """The viewBox height: one row per bar."""
        return max(1, len(self.bars)) * ROW


@dataclass(frozen=True, slots=True)
class BarItem:
    """What a bar shows: label, value, the value in words or digits, colour kind."""

    label: str
    value: float
    value_text: str
    kind: str = "main"


def bar_chart(title: str, items: Sequence[BarItem]) -> BarChart:
    """Bars scaled to the largest value (a zero is a bar of no length, its number still shown)."""
    largest = max((item.value for item in items), default=0)
    scale = BAR_ROOM / largest if largest > 0 else 0
    bars = tuple(Bar(item.label, item.value_text, n * ROW, round(item.value * scale, 1), item.kind)
                 for n, item in enumerate(items))
    return BarChart(title=title, bars=bars)


@dataclass(frozen=True, slots=True)
class Series:
    """One line: its name, colour kind, and points in viewBox units."""

    label: str
    kind: str
    points: tuple[tuple[float, float], ...]

    @property
    def path(self) -> str:
        """The points as an SVG polyline's `points` attribute."""
        return " ".join(f"{x:g},{y:g}" for x, y in self.points)


@dataclass(frozen=True, slots=True)
class LineChart:
    """Lines over years, with the year and count ticks as text."""

    title: str
    series: tuple[Series, ...]
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    width: int = WIDTH
    height: int = LINE_HEIGHT
    left: int = PLOT_LEFT
    right: int = PLOT_RIGHT
    bottom: int = PLOT_BOTTOM


def _nice_top(largest: int) -> int:
    """The round number the y axis ends at: 1, 2, 3, 4, 5, 6 or 8 times a power of ten, at least `largest`."""
    if largest <= 0:
        return 1
    power = int(10 ** math.floor(math.log10(largest)))
    return next(step * power for step in (1, 2, 3, 4, 5, 6, 8, 10) if step * power >= largest)


def line_chart(title: str, years: Sequence[int], lines: Sequence[tuple[str, str, Sequence[int]]],
               *, fmt: Callable[[int], str] = str) -> LineChart:
    """Lines of counts per year: `lines` are (label, kind, one count per year)."""
    top = _nice_top(max((v for _, _, values in lines for v in values), default=0))
    span = max(1, len(years) - 1)

    def x(n: int) -> float:
        return round(PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * n / span, 1)

    def y(value: int) -> float:
        return round(PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * value / top, 1)

    series = tuple(Series(label, kind, tuple((x(n), y(v)) for n, v in enumerate(values)))
                   for label, kind, values in lines)
    every = max(1, math.ceil(len(years) / MAX_X_LABELS))
    x_ticks = tuple((x(n), str(year)) for n, year in enumerate(years)
                    if n % every == 0 or n == len(years) - 1)
    y_ticks = tuple((y(v), fmt(v)) for v in sorted({0, top // 2, top}))
    return LineChart(title=title, series=series, x_ticks=x_ticks, y_ticks=y_ticks)
