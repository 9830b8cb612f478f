"""The rows of a Word table laid out as a spreadsheet gives them: one value per grid column.

A merged cell's text comes once, where the merge starts: a horizontal merge (gridSpan) is
followed by None for each column it spans, a cell that continues a vertical merge (vMerge) is
None. Rows that start late (gridBefore) begin with None. Only the table's own paragraphs are
read: a table nested in a cell is left out, as is everything outside tables.
"""

from __future__ import annotations

from collections.abc import Iterator

from docx.oxml.table import CT_Row, CT_Tc
from docx.table import Table
from docx.text.paragraph import Paragraph


def cell_text(tc: CT_Tc, table: Table) -> str | None:
    """A cell's paragraphs joined by newlines and stripped; None when there is no text."""
    text = "\n".join(Paragraph(p, table).text for p in tc.p_lst).strip()
    return text or None


def row_cells(tr: CT_Row, table: Table, max_columns: int) -> list[str | None]:
    """One row's values by grid column, at most `max_columns` (a crafted span cannot make it longer)."""
    cells: list[str | None] = [None] * min(tr.grid_before, max_columns)
    for tc in tr.tc_lst:
        if len(cells) >= max_columns:
            break
        cells.append(None if tc.vMerge == "continue" else cell_text(tc, table))
        cells.extend([None] * min(tc.grid_span - 1, max_columns - len(cells)))
    return cells


def table_rows(table: Table, max_columns: int) -> Iterator[list[str | None]]:
    """The table's rows in order, each cut at `max_columns` (padding to a rectangle is the caller's)."""
    for tr in table._tbl.tr_lst:  # the XML rows: python-docx's own row API repeats merged cells
        yield row_cells(tr, table, max_columns)
