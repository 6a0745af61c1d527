"""Report parameter declarations and checks (kepatuhan_lib.reports.params, catalog)."""

import ast
from datetime import datetime
from pathlib import Path

import nbformat
import papermill
import pytest

from kepatuhan_lib.errors import ParameterError
from kepatuhan_lib.reports.catalog import REPORTS
from kepatuhan_lib.reports.params import check_parameters, resolve_province

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


def test_defaults_are_filled_in_and_values_kept():
    assert check_parameters("provinsi", province="11") == {
        "edition": "terbitan", "year": REPORTS["provinsi"].defaults()["year"], "province": "11", "lang": "id"}
    assert check_parameters("entitas", entity_code="17.06", year=2023, edition="contoh", lang="en") == {
        "edition": "contoh", "entity_code": "17.06", "year": 2023, "lang": "en"}
    with pytest.raises(ParameterError, match="unknown lang 'fr'; allowed: id Bahasa Indonesia, en English"):
        check_parameters("nasional", lang="fr")
    with pytest.raises(ParameterError, match="unknown edition 'demo'; allowed: terbitan, contoh, ekspor"):
        check_parameters("nasional", edition="demo")


def test_unknown_parameter_name_lists_the_declared_names():
    with pytest.raises(ParameterError) as err:
        check_parameters("provinsi", year=2023, provinsi="17")
    assert str(err.value) == "unknown parameter 'provinsi' for report 'provinsi'; parameters: edition, year, province, lang"
    assert err.value.allowed == ["edition", "year", "province", "lang"]


@pytest.mark.parametrize("value", ["2023", 2023.0, True])
def test_wrong_type_says_the_expected_type(value):
    """Pins that a bool is not accepted as a year even though bool subclasses int."""
    with pytest.raises(ParameterError, match=r"parameter 'year' of report 'nasional' must be int .*got") as err:
        check_parameters("nasional", year=value)
    assert err.value.name == "year" and err.value.value == value


def test_unknown_province_lists_codes_with_names():
    with pytest.raises(ParameterError) as err:
        check_parameters("provinsi", year=2023, province="99")
    message = str(err.value)
    assert message.startswith("unknown province '99'; allowed: 11 Aceh, 12 Sumatera Utara, ")
    assert "17 Bengkulu" in message and "96 Papua Barat Daya" in message
    assert len(err.value.allowed) == 38


def test_a_province_code_as_int_is_a_type_error_not_a_lookup():
    with pytest.raises(ParameterError, match="must be str"):
        check_parameters("provinsi", year=2023, province=17)


def test_unknown_report():
    with pytest.raises(ParameterError, match="unknown report 'kabupaten'; reports: provinsi, nasional, entitas"):
        check_parameters("kabupaten", year=2023)


@pytest.mark.parametrize("text", ["17", "Bengkulu", " bengkulu "])
def test_command_line_province_by_code_or_name(text):
    assert resolve_province(text) == "17"


def test_command_line_province_unknown_lists_the_allowed():
    with pytest.raises(ParameterError, match=r"unknown province 'Bengkulu Raya'; allowed: 11 Aceh"):
        resolve_province("Bengkulu Raya")


@pytest.mark.parametrize("name", list(REPORTS))
def test_notebook_parameters_cell_matches_the_catalog(name):
    """The notebook's `parameters` cell and the catalog declare the same names, types and defaults."""
    report = REPORTS[name]
    assert report.notebook.exists(), f"{report.notebook} is declared in the catalog but missing"
    found = papermill.inspect_notebook(str(report.notebook))
    assert list(found) == [p.name for p in report.parameters]
    for param in report.parameters:
        assert found[param.name]["inferred_type_name"] == param.type.__name__, param.name
        assert ast.literal_eval(found[param.name]["default"]) == param.default, param.name
    check_parameters(name, **report.defaults())  # the defaults themselves pass the check


@pytest.mark.slow
def test_direct_papermill_run_is_checked_and_the_message_reaches_the_user(tmp_path):
    """A notebook run with papermill alone still fails on a bad province, with the plain message."""
    from kepatuhan_lib.reports.emit import collect
    from kepatuhan_lib.reports.render import render_html

    executed = tmp_path / "out.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as err:
        papermill.execute_notebook(
            FIXTURES / "laporan.ipynb", executed, parameters={"province": "99"},
            kernel_name="python3", progress_bar=False, cwd=tmp_path,
        )
    assert err.value.ename == "ParameterError"
    assert err.value.evalue.startswith("unknown province '99'; allowed: 11 Aceh, 12 Sumatera Utara")
    # Even rendered on its own, the failed run shows no traceback and no error text.
    nb = nbformat.read(executed, as_version=4)
    html, _ = render_html(nb, collect(nb), built_at=datetime(2026, 11, 23))
    assert "Traceback" not in html and "ParameterError" not in html and "unknown province" not in html
    assert "An Exception was encountered" not in html
