"""The language a report is written in: gettext catalogues managed with Babel.

Messages are written in Indonesian (the default language, shown as written); English comes from
``locale/en/LC_MESSAGES/kepatuhan.po`` (``pybabel extract -F babel.cfg`` / ``update`` / ``compile``,
see README), compiled to the ``.mo`` beside it. A report sets its language once (``activate``, from
its ``lang`` parameter); every ``_()`` then answers in it.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import json
import re

from . import config

DOMAIN = "kepatuhan"
DEFAULT = "id"
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}  # code -> its own name (the link to it)
BABEL_LOCALE = {"id": "id", "en": "en"}  # numbers, dates and month names

_current = DEFAULT


def N_(message: str) -> str:
    """Mark a message for extraction where it is declared; translate it where it is shown (``_``)."""
    return message


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (Indonesian: the messages as written)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; languages: {', '.join(LANGUAGES)}")
    if lang == DEFAULT:
        return gettext.NullTranslations()
    mo = config.LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.exists():
        raise FileNotFoundError(f"{config.display_path(mo)} is missing; run `pybabel compile -d kepatuhan_lib/locale "
                                f"-D {DOMAIN}`")
    with mo.open("rb") as f:
        return gettext.GNUTranslations(f)


def activate(lang: str) -> None:
    """Write from now on in ``lang`` (a report notebook does this once, when its parameters are checked)."""
    global _current
    translations(lang)  # an unknown language or a missing catalogue fails here, not mid-report
    _current = lang


def language() -> str:
    return _current


def locale() -> str:
    """The Babel locale of the current language (numbers 90,02 or 90.02, month names)."""
    return BABEL_LOCALE[_current]


@contextlib.contextmanager
def using(lang: str):
    """``lang`` for the duration of a ``with`` block (the index pages, tests)."""
    before = _current
    activate(lang)
    try:
        yield
    finally:
        activate(before)


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(_current).gettext(message) if message else message


# --- notebooks: markdown cells --------------------------------------------------------------------

def markdown_blocks(source: str) -> list[str]:
    """A markdown cell's blocks (a heading, a paragraph), each one message."""
    return [b.strip() for b in re.split(r"\n\s*\n", source) if b.strip()]


def translate_markdown(source: str) -> str:
    """A markdown cell in the current language, block by block."""
    return "\n\n".join(_(block) for block in markdown_blocks(source))


def extract_notebook(fileobj, keywords, comment_tags, options):
    """Babel extraction method (babel.cfg): every markdown block of a notebook, its cell number as line."""
    nb = json.load(fileobj)
    for number, cell in enumerate(nb.get("cells", []), start=1):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        for block in markdown_blocks(source):
            yield number, "_", block, []
