"""Report parameter checks: unknown names, wrong types and values not allowed, said plainly."""

from __future__ import annotations

from .. import i18n
from ..errors import ParameterError
from .catalog import REPORTS, Report


def check_parameters(report: str, **values) -> dict:
    """Check parameter values for a catalog report; return them with defaults filled in.

    Report notebooks call this in their second cell, so a direct papermill run is checked
    as strictly as `kepatuhan build`; it also sets the report's language (i18n.activate) for every
    section that follows.
    """
    if report not in REPORTS:
        raise ParameterError(
            f"unknown report {report!r}; reports: {', '.join(REPORTS)}", name="report", value=report,
            allowed=list(REPORTS),
        )
    checked = check(REPORTS[report], values)
    i18n.activate(checked.get("lang", i18n.DEFAULT))
    return checked


def check(report: Report, values: dict) -> dict:
    """Check ``values`` against the report's declared parameters (see check_parameters)."""
    declared = {p.name: p for p in report.parameters}
    for name, value in values.items():
        if name not in declared:
            raise ParameterError(
                f"unknown parameter {name!r} for report {report.name!r}; "
                f"parameters: {', '.join(declared)}",
                name=name, value=value, allowed=list(declared),
            )
    checked = report.defaults() | values
    for name, value in checked.items():
        param = declared[name]
        # bool is an int in Python, but `year=True` is never meant.
        if not isinstance(value, param.type) or (param.type is int and isinstance(value, bool)):
            raise ParameterError(
                f"parameter {name!r} of report {report.name!r} must be {param.type.__name__} "
                f"({param.description}), got {type(value).__name__} {value!r}",
                name=name, value=value,
            )
        allowed = param.allowed_values()
        if allowed is not None and value not in allowed:
            raise ParameterError(
                f"unknown {name} {value!r}; allowed: {describe(allowed)}",
                name=name, value=value, allowed=list(allowed),
            )
    return checked


def describe(allowed: dict) -> str:
    """'11 Aceh, 12 Sumatera Utara, ...': each allowed value with its label."""
    return ", ".join(f"{v} {label}".strip() for v, label in allowed.items())


def resolve_province(text: str) -> str:
    """A province given on the command line, by code ('17') or name ('bengkulu'), as its code."""
    names = REPORTS["provinsi"].parameter("province").allowed_values()
    wanted = text.strip()
    if wanted in names:
        return wanted
    by_name = {label.casefold(): code for code, label in names.items()}
    if wanted.casefold() in by_name:
        return by_name[wanted.casefold()]
    raise ParameterError(
        f"unknown province {text!r}; allowed: {describe(names)}", name="province", value=text,
        allowed=list(names),
    )
