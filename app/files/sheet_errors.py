"""The error a winners spreadsheet that cannot be read raises, shared by the reader and its guards."""

from __future__ import annotations

from app.errors import DomainError

Problem = tuple[int | None, str | None, str]


class SpreadsheetError(DomainError):
    """The file cannot be read as a winners spreadsheet; `problems` lists (row, column, message)."""

    def __init__(self, message: str, *, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or [(None, None, message)]

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle with the problems (the .xlsx reader raises this in a child process)."""
        return (_rebuild, (self.message, self.problems))


def _rebuild(message: str, problems: list[Problem]) -> SpreadsheetError:
    """A SpreadsheetError back from its pickled parts."""
    return SpreadsheetError(message, problems=problems)


def thousands(number: int) -> str:
    """12345 → '12.345', as Vietnamese writes numbers."""
    return f"{number:,}".replace(",", ".")
