"""The report colours, each declared once: the custom properties of the stylesheet's :root rule
(kepatuhan.css). Pages use them by class name; the charts, which need a concrete colour, read them here."""

from __future__ import annotations

import functools
import re

from .. import config

ROOT_RULE = re.compile(r":root\s*\{(?P<body>[^}]*)\}")
PROPERTY = re.compile(r"--(?P<name>[a-z0-9-]+)\s*:\s*(?P<value>[^;]+);")
REFERENCE = re.compile(r"var\(--(?P<name>[a-z0-9-]+)\)")


@functools.cache
def declared() -> dict[str, str]:
    """name -> value of each custom property (--name) of the stylesheet's :root rule, as written: a colour, or
    a reference to another (var(--aksen))."""
    root = ROOT_RULE.search(config.STYLESHEET.read_text(encoding="utf-8"))
    return {m["name"]: m["value"].strip() for m in PROPERTY.finditer(root["body"])}


def colour(name: str) -> str:
    """The colour ``--name`` of the stylesheet (its hex value), through any variable it refers to."""
    value = declared()[name]
    while reference := REFERENCE.fullmatch(value):
        value = declared()[reference["name"]]
    return value


def css_name(value: str) -> str:
    """A machine value in a class or variable name: 'baru dinilai' -> 'baru-dinilai' (class arah-baru-dinilai)."""
    return str(value).replace(" ", "-")
