"""The gettext catalogues: every message has its English, the catalogue holds what the code and notebooks
say (as `pybabel extract` with babel.cfg finds it), the committed .mo is compiled from the .po, and figures,
dates and words follow the report's language."""

import configparser
import gettext
import re
from datetime import date

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kepatuhan_lib import config, i18n
from kepatuhan_lib.reports import fmt, labels

PROJECT = config.PACKAGE_DIR.parent
PO = config.LOCALE_DIR / "en" / "LC_MESSAGES" / "kepatuhan.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def catalogue():
    with PO.open("rb") as f:
        return read_po(f)


def extracted() -> set[str]:
    """The message ids `pybabel extract -F babel.cfg -k _ -k N_` finds in the project, by babel.cfg's own mapping."""
    cfg = configparser.ConfigParser()
    cfg.read(PROJECT / "babel.cfg")
    methods = dict(cfg["extractors"]) if cfg.has_section("extractors") else {}
    method_map = []
    for section in cfg.sections():
        if section != "extractors":
            method, pattern = (part.strip() for part in section.split(":", 1))
            method_map.append((pattern, methods.get(method, method)))
    found = extract_from_dir(PROJECT, method_map, keywords={"_": None, "N_": None})
    return {message for _file, _line, message, _comments, _context in found}


def test_every_message_has_an_english_translation_with_the_same_placeholders():
    untranslated, mismatched = [], []
    for message in catalogue():
        if not message.id:
            continue
        if not message.string or message.fuzzy:
            untranslated.append(message.id)
        elif set(PLACEHOLDER.findall(message.id)) != set(PLACEHOLDER.findall(message.string)):
            mismatched.append(message.id)
    assert untranslated == [] and mismatched == []


def test_the_catalogue_holds_exactly_what_the_code_and_notebooks_say():
    """A new `_()` message, or one changed or gone, needs `pybabel extract` and `pybabel update` (README)."""
    in_code = extracted()
    in_catalogue = {m.id for m in catalogue() if m.id}
    assert sorted(in_code - in_catalogue) == [] and sorted(in_catalogue - in_code) == []
    assert "## Peringkat kabupaten dan kota" in in_code and labels.NOT_AVAILABLE in in_code  # all three sources read


def test_the_committed_mo_is_compiled_from_the_po():
    """`pybabel compile` was run after the last change of the .po (the .mo is what reports read)."""
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for message in catalogue():
        if message.id:
            assert compiled.gettext(message.id) == message.string, message.id


def test_figures_dates_and_words_follow_the_language():
    assert (fmt.skor(90.02), fmt.bilangan(1234), fmt.persen(.455), fmt.selisih(0)) == ("90,02", "1.234", "45,5%", "0,00")
    assert fmt.tanggal(date(2024, 2, 2)) == "2 Februari 2024"
    with i18n.using("en"):
        assert (fmt.skor(90.02), fmt.bilangan(1234), fmt.persen(.455), fmt.selisih(-1.2), fmt.selisih(0)) == (
            "90.02", "1,234", "45.5%", "−1.20", "0.00")
        assert fmt.tanggal(date(2024, 2, 2)) == "2 February 2024"
        assert fmt.arah("naik") == "▲ up" and fmt.not_available() == "not available"
        assert labels.header("jumlah_dipublikasikan") == "Published count"
        assert labels.flags("metode berbeda; 2022 tidak dipublikasikan") == "different method; 2022 not published"
        assert fmt.daftar(["a", "b", "c"]) == "a, b and c"
    assert fmt.arah("naik") == "▲ naik" and fmt.daftar(["a", "b"]) == "a dan b"  # back in Indonesian


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language 'fr'; languages: id, en"):
        i18n.activate("fr")
    assert i18n.language() == "id"


def test_every_data_file_column_has_a_header_and_a_meaning():
    for table, columns in labels.TABLES.items():
        for column in columns:
            assert labels.header(column, year=2023) and labels.meaning(column), (table, column)
            assert "_" not in labels.header(column), column


def test_no_message_hides_inside_an_f_string():
    """pybabel extract cannot see a `_()` call inside an f-string: its message would stay Indonesian."""
    import io
    import tokenize

    hidden = []
    for path in config.PACKAGE_DIR.rglob("*.py"):
        for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
            prefix = token.string[:2].lower()
            if token.type == tokenize.STRING and "f" in prefix.split('"')[0].split("'")[0] and re.search(r"(?<![\w.])_\(", token.string):
                hidden.append(f"{path.name}:{token.start[0]}")
    assert hidden == []
