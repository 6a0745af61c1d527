"""Every exception the library raises; each carries structured detail and reads well as text."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in an input file, located as a person sees it in a spreadsheet.

    ``row`` is the spreadsheet row number (header row included, 1-based); ``None`` for a
    problem of the whole file. ``column`` is the header as written in the file. A ``notice``
    refuses nothing: it says how the file was read (a hidden sheet skipped, a column ignored).
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    sheet: str | None = None
    notice: bool = False

    def location(self) -> str:
        where = self.file if self.sheet is None else f"{self.file}[{self.sheet}]"
        return f"{where}:{'' if self.row is None else self.row}:{self.column or ''}"

    def __str__(self) -> str:
        return f"{self.location()}: {'notice: ' if self.notice else ''}{self.message}"

    def as_record(self) -> dict:
        """The quarantine-table form: file, sheet, row, column, value, reason."""
        d = asdict(self)
        d["reason"] = d.pop("message")
        del d["notice"]
        return d


class KepatuhanError(Exception):
    """Base of every error the library raises on purpose; ``detail`` holds structured data."""

    def __init__(self, message: str, **detail):
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message

    def _render_traceback_(self) -> list[str]:
        """In IPython and Jupyter: the message alone, no traceback (the message says what to do)."""
        return [f"{type(self).__name__}: {self.message}"]


class InputFileError(KepatuhanError):
    """A file that cannot be read as a table at all; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems), problems=self.problems)


class UnknownEntityError(KepatuhanError):
    """A name that matches no known entity; ``suggestions`` are the nearest known names."""

    def __init__(self, name: str, suggestions: list[str] | None = None, expected: str = ""):
        self.name = name
        self.suggestions = list(suggestions or [])
        msg = f"unknown entity {name!r}"
        if expected:
            msg += f" ({expected})"
        if self.suggestions:
            *others, last = self.suggestions
            msg += f"; did you mean {', '.join(others) + ' or ' if others else ''}{last}?"
        super().__init__(msg, name=name, suggestions=self.suggestions)


class AmbiguousEntityError(KepatuhanError):
    """A name that matches several entities; kind or province is needed to choose."""

    def __init__(self, name: str, candidates: list[str], hint: str = "give the kind (Kabupaten/Kota) or the province"):
        self.name = name
        self.candidates = list(candidates)
        super().__init__(
            f"ambiguous entity {name!r}: could be {', '.join(self.candidates)}; {hint}",
            name=name,
            candidates=self.candidates,
        )


class MethodologyError(KepatuhanError):
    """No methodology is declared for a year and entity type, or a declaration is invalid."""


class UsageError(KepatuhanError):
    """A command-line invocation that cannot be carried out as given (exit code 2)."""


class LockedError(UsageError):
    """Another run of the command holds the folder's lock (``path``); the message names it (exit code 2)."""


class ParameterError(UsageError):
    """A report parameter with an unknown name, a wrong type or a value not allowed."""

    def __init__(self, message: str, name: str, value=None, allowed=None):
        self.name = name
        self.value = value
        self.allowed = allowed
        super().__init__(message, name=name, value=value, allowed=allowed)


class ReportBuildError(KepatuhanError):
    """A report failed to build; ``section`` is the heading of the failing part, if known."""

    def __init__(self, message: str, report: str, section: str | None = None):
        self.report = report
        self.section = section
        super().__init__(message, report=report, section=section)


class CalibrationError(KepatuhanError):
    """The synthetic generator cannot honour a published figure or a declared count; ``problems`` lists each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("synthetic calibration failed:\n" + "\n".join(self.problems), problems=self.problems)


class ReportDataError(KepatuhanError):
    """Processed data a report reads is missing, or holds nothing about the report's subject."""


class UnknownValueError(KepatuhanError):
    """A value outside a closed list (entity type, dimension...); the message lists what is allowed."""

    def __init__(self, value: str, what: str, allowed):
        self.value = value
        self.allowed = list(allowed)
        super().__init__(f"unknown {what} {value!r}; expected one of: {', '.join(self.allowed)}",
                         value=value, allowed=self.allowed)
