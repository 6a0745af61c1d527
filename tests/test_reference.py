"""The resolver: every official name, the declared variants, the ambiguous pairs, suggestions, codes."""

import re

import pandas as pd
import pytest

from kepatuhan_lib import config, reference
from kepatuhan_lib.errors import AmbiguousEntityError, UnknownEntityError, UnknownValueError
from kepatuhan_lib.methodology import ENTITY_TYPES

R = reference.get_resolver()
UNIT_TYPES = {"DPMPTSP", "Dinas Dukcapil", "Dinas Kesehatan", "Dinas Pendidikan", "Dinas Sosial", "Puskesmas",
              "RSUD", "Lainnya"}  # docs/architecture.md, canonical values


def test_reference_tables_have_the_official_counts_and_string_dtype():
    regencies = reference.regencies()
    assert len(reference.provinces()) == 38
    assert len(regencies) == 514
    assert regencies["kind"].value_counts().to_dict() == {"kabupaten": 416, "kota": 98}
    assert all(dtype == pd.StringDtype() for dtype in regencies.dtypes)
    assert (reference.provinces()["code"].str.len() == 2).all()


def test_agencies_have_unique_codes_of_their_type():
    agencies = reference.agencies()
    assert agencies["code"].is_unique
    assert set(agencies["entity_type"]) == {"Kementerian", "Lembaga"}
    prefix = agencies["entity_type"].map({"Kementerian": "KEM.", "Lembaga": "LEM."})
    assert all(code.startswith(p) for code, p in zip(agencies["code"], prefix))
    assert (agencies["source"] != "").all()


@pytest.mark.parametrize("row", reference.regencies().to_dict("records"), ids=lambda r: r["regency_code"])
def test_every_official_regency_name_resolves_to_its_own_code(row):
    assert R.resolve_entity(row["regency_name"], province=row["province_code"]).code == row["regency_code"]
    assert R.resolve_entity(row["regency_name"]).code == row["regency_code"]
    assert R.resolve_entity(None, code=row["regency_code"]).name == row["regency_name"]


@pytest.mark.parametrize("row", reference.provinces().to_dict("records"), ids=lambda r: r["code"])
def test_every_province_resolves_by_name_code_and_as_an_entity(row):
    assert R.resolve_province(row["name"]) == (row["code"], row["name"])
    assert R.resolve_province(row["code"]) == (row["code"], row["name"])
    entity = R.resolve_entity(f"Provinsi {row['name']}")
    assert (entity.code, entity.entity_type, entity.province_code) == (row["code"], "Pemerintah Provinsi", row["code"])


@pytest.mark.parametrize("row", reference.agencies().to_dict("records"), ids=lambda r: r["code"])
def test_every_agency_resolves_by_name_and_each_alias(row):
    for variant in [row["name"], *filter(None, row["aliases"].split("|"))]:
        assert R.resolve_entity(variant, entity_type=row["entity_type"]).code == row["code"]


@pytest.mark.parametrize("variant", [
    "Kab. Mukomuko", "KABUPATEN MUKOMUKO", "KAB.MUKOMUKO", "Pemkab Mukomuko", "Pemerintah Kabupaten Mukomuko",
    "Pemerintah Daerah Kabupaten Mukomuko", "Pemda Kab. Mukomuko", "  Kabupaten\u00a0Mukomuko ",
    "Kabupaten Muko-Muko", "kab muko muko", "Mukomuko",
])
def test_mukomuko_variants(variant):
    assert R.resolve_entity(variant).code == "17.06"


@pytest.mark.parametrize("name,kwargs,code", [
    ("OKU Timur", {"entity_type": "Pemerintah Kabupaten"}, "16.08"),
    ("Kab. OKU Timur", {}, "16.08"),
    ("Kabupaten OKU Selatan", {}, "16.09"),
    ("Kabupaten OKU", {}, "16.01"),
    ("Kabupaten PALI", {}, "16.12"),
    ("Kota Tanjung Balai", {}, "12.74"),
    ("Kota Padang Sidempuan", {}, "12.77"),
    ("Kabupaten Toli Toli", {}, "72.04"),
    ("Kabupaten Tolitoli", {}, "72.04"),
    ("Kabupaten Toba Samosir", {}, "12.12"),
    ("Pemkot Lubuklinggau", {}, "16.73"),
    ("Kota Palangka Raya", {}, "62.71"),
    ("Kota Baubau", {}, "74.72"),
    ("Kota Pangkalpinang", {}, "19.71"),
    ("Kabupaten Siau Tagulandang Biaro", {}, "71.09"),
    ("Kab. Kep. Mentawai", {}, "13.09"),
    ("Kota Administrasi Jakarta Pusat", {}, "31.71"),
    ("Kota Jakarta Pusat", {}, "31.71"),
    ("Kota Yogyakarta", {}, "34.71"),
    ("Pemprov Sumatra Barat", {}, "13"),
    ("Provinsi DKI Jakarta", {}, "31"),
    ("Pemerintah Provinsi DI Yogyakarta", {}, "34"),
    ("Prov. Kep. Riau", {}, "21"),
    ("Kementerian ATR/BPN", {}, "KEM.07"),
    ("Kemenag", {"entity_type": "Kementerian"}, "KEM.06"),
    ("BPOM", {"entity_type": "Lembaga"}, "LEM.01"),
])
def test_declared_variants(name, kwargs, code):
    assert R.resolve_entity(name, **kwargs).code == code


ALIASES = pd.read_csv(config.ENTITY_ALIASES_CSV, dtype="string", keep_default_na=False)


@pytest.mark.parametrize("row", ALIASES[ALIASES["scope"] == "name"].to_dict("records"), ids=lambda r: r["alias"])
def test_every_declared_name_variant_points_at_a_real_region(row):
    """A typo in a canonical of entity_aliases.csv would leave its variant unresolved."""
    assert R.resolve_entity(row["alias"]).code == R.resolve_entity(row["canonical"]).code


@pytest.mark.parametrize("row", ALIASES[ALIASES["scope"] == "province"].to_dict("records"), ids=lambda r: r["alias"])
def test_every_declared_province_variant_points_at_a_real_province(row):
    assert R.resolve_province(row["alias"]) == R.resolve_province(row["canonical"])


def test_alias_scopes_are_the_three_the_resolver_reads():
    assert set(ALIASES["scope"]) == {"name", "province", "word"}
    assert not ALIASES["alias"].str.casefold().duplicated().any()


@pytest.mark.parametrize("name,kwargs,code", [
    ("Kota Bengkulu", {}, "17.71"),
    ("Provinsi Bengkulu", {}, "17"),
    ("Bengkulu", {"entity_type": "Pemerintah Provinsi"}, "17"),
    ("Bengkulu", {"entity_type": "Pemerintah Kota"}, "17.71"),
    ("Gorontalo", {"entity_type": "Pemprov"}, "75"),
    ("Gorontalo", {"entity_type": "Kabupaten"}, "75.01"),
    ("Gorontalo", {"entity_type": "Pemkot"}, "75.71"),
    ("Kota Jambi", {}, "15.71"),
    ("Jambi", {"entity_type": "Pemerintah Provinsi"}, "15"),
    ("Kota Banjar", {}, "32.79"),
    ("Kabupaten Banjar", {}, "63.03"),
    ("Banjar", {"province": "Jawa Barat"}, "32.79"),
    ("Banjar", {"province": "Kalimantan Selatan"}, "63.03"),
    ("Banjar", {"province": "63"}, "63.03"),
    ("Bandung", {"entity_type": "Pemerintah Kota"}, "32.73"),
    ("Kab. Bandung", {}, "32.04"),
])
def test_kind_and_province_tell_the_ambiguous_pairs_apart(name, kwargs, code):
    assert R.resolve_entity(name, **kwargs).code == code


@pytest.mark.parametrize("name,n", [("Bandung", 2), ("Banjar", 2), ("Bengkulu", 2), ("Jambi", 2), ("Gorontalo", 3),
                                    ("Yogyakarta", 2)])
def test_a_bare_shared_name_is_ambiguous(name, n):
    with pytest.raises(AmbiguousEntityError) as err:
        R.resolve_entity(name)
    assert len(err.value.candidates) == n


def test_a_region_outside_the_given_province_is_unknown():
    with pytest.raises(UnknownEntityError):
        R.resolve_entity("Kota Banjar", province="Kalimantan Selatan")


def test_unknown_name_suggests_the_nearest():
    with pytest.raises(UnknownEntityError) as err:
        R.resolve_entity("Kabupaten Mukomoko")
    assert err.value.suggestions[0] == "Kabupaten Mukomuko (17.06)"
    assert "did you mean Kabupaten Mukomuko (17.06)?" in str(err.value)


def test_suggestions_keep_both_regions_of_a_shared_name():
    with pytest.raises(UnknownEntityError) as err:
        R.resolve_entity("Bandungg")
    assert set(err.value.suggestions) >= {"Kabupaten Bandung (32.04)", "Kota Bandung (32.73)"}


def test_kind_that_contradicts_the_type_is_refused():
    with pytest.raises(UnknownEntityError, match="Pemerintah Kabupaten"):
        R.resolve_entity("Kota Bengkulu", entity_type="Pemerintah Kabupaten")


def test_an_empty_name_without_a_code_is_unknown():
    with pytest.raises(UnknownEntityError, match="an entity name such as Kabupaten Mukomuko"):
        R.resolve_entity("  ")


@pytest.mark.parametrize("code,expected", [
    ("17.06", "17.06"), ("1706", "17.06"), ("11.1", "11.10"), ("17", "17"), ("KEM.06", "KEM.06"),
])
def test_code_wins_over_the_name_in_its_written_forms(code, expected):
    """'11.1' is what a spreadsheet leaves of the code 11.10 once stored as a number."""
    assert R.resolve_entity("Muko", code=code).code == expected


def test_an_unknown_code_is_refused():
    with pytest.raises(UnknownEntityError, match="Kemendagri code"):
        R.resolve_entity("Kabupaten Mukomuko", code="17.99")


def test_contradictions_name_the_code_and_what_contradicts_it():
    muko = R.resolve_entity("Kabupaten Lebong", code="17.06")
    assert muko.code == "17.06"
    (name,) = R.contradictions(muko, name="Kabupaten Lebong")
    assert (name.field, name.named.code) == ("entity", "17.07")
    assert "Kabupaten Lebong (17.07)" in name.message and "17.06 is Kabupaten Mukomuko" in name.message
    assert R.contradictions(R.resolve_entity("", code="81.01"), name="Kabupaten Mukomuko")[0].named.code == "17.06"
    fields = [c.field for c in R.contradictions(muko, name="Kota Mukomuko", entity_type="Pemkot", province="Lampung")]
    assert fields == ["entity_type", "province", "entity"]  # every one, and a prefix naming nobody too
    assert "Lampung" in R.contradictions(muko, province="Lampung")[0].message
    assert R.contradictions(muko, name="Kab. Muko-Muko", entity_type="Kabupaten", province="Bengkulu") == []
    assert R.contradictions(muko, name="Muko") == []  # a name that names nobody, and no kind, does not contradict
    province = R.resolve_entity("", code="17")
    assert R.contradictions(province, name="Kota Bengkulu")[0].named.code == "17.71"
    assert R.contradictions(province, name="Bengkulu") == []  # ambiguous: the code decides


@pytest.mark.parametrize("name,province,code", [
    ("Polres OKU Timur", "Sumatera Selatan", "POLRES.16.08"),
    ("Polres OKU Timur", None, "POLRES.16.08"),
    ("Polrestabes Palembang", None, "POLRES.16.71"),
    ("Polres Lubuklinggau", None, "POLRES.16.73"),
    ("Polres Tanah Datar", "Sumatera Barat", "POLRES.13.04"),
    ("Polres Lima Puluh Kota", None, "POLRES.13.07"),
    ("Polres Kediri", None, "POLRES.35.06"),
    ("Polres Kediri Kota", None, "POLRES.35.71"),
    ("Polresta Bandung", None, "POLRES.32.04"),
    ("Polrestabes Bandung", None, "POLRES.32.73"),
    ("Polres Metro Bekasi Kota", None, "POLRES.32.75"),
    ("Polres Metro Jakarta Pusat", None, "POLRES.31.71"),
    ("Polres Banjar", "Jawa Barat", "POLRES.32.79"),
    ("Polres Pelabuhan Tanjung Priok", "DKI Jakarta", "POLRES.31.pelabuhan-tanjung-priok"),
])
def test_polres_is_coded_after_the_region_it_serves(name, province, code):
    entity = R.resolve_entity(name, entity_type="Polres", province=province)
    assert (entity.code, entity.entity_type) == (code, "Polres")
    assert entity.province_code == code.split(".")[1]


def test_polres_takes_the_regions_spelling_and_keeps_its_force():
    assert R.resolve_entity("POLRES OKU TIMUR").name == "Polres Ogan Komering Ulu Timur"
    assert R.resolve_entity("Polrestabes Palembang").name == "Polrestabes Palembang"
    assert R.resolve_entity("Polres Kediri Kota").name == "Polres Kediri Kota"
    assert R.resolve_entity("", code="POLRES.16.08").name == "Polres Ogan Komering Ulu Timur"


def test_polres_that_names_no_region_needs_its_province():
    with pytest.raises(UnknownEntityError, match="province"):
        R.resolve_entity("Polres Pelabuhan Tanjung Priok")
    with pytest.raises(AmbiguousEntityError):
        R.resolve_entity("Polres Banjar")  # Kabupaten Banjar and Kota Banjar are in two provinces
    slugged = R.resolve_entity("Polres Pelabuhan Tanjung Priok", code="POLRES.31.pelabuhan-tanjung-priok")
    assert (slugged.province_code, slugged.name) == ("31", "Polres Pelabuhan Tanjung Priok")


@pytest.mark.parametrize("name,kwargs,code", [
    ("Kantor Pertanahan Kabupaten Muko Muko", {}, "ATR.17.06"),
    ("Kantah Kota Bengkulu", {}, "ATR.17.71"),
    ("Kabupaten Bandung", {"entity_type": "Kantor Pertanahan"}, "ATR.32.04"),
])
def test_kantor_pertanahan_is_coded_after_its_region(name, kwargs, code):
    entity = R.resolve_entity(name, **kwargs)
    assert (entity.code, entity.entity_type) == (code, "Kantor Pertanahan")


def test_kantor_pertanahan_of_a_shared_bare_name_is_ambiguous():
    with pytest.raises(AmbiguousEntityError):
        R.resolve_entity("Kantor Pertanahan Bandung")
    assert R.resolve_entity("", code="ATR.17.06").name == "Kantor Pertanahan Kabupaten Mukomuko"


@pytest.mark.parametrize("raw,canonical", [
    ("Pemkab", "Pemerintah Kabupaten"), ("KABUPATEN", "Pemerintah Kabupaten"), ("Kab.", "Pemerintah Kabupaten"),
    ("Pemkot", "Pemerintah Kota"), ("pemerintah provinsi", "Pemerintah Provinsi"), ("Prov.", "Pemerintah Provinsi"),
    ("Kementerian", "Kementerian"), ("Lembaga", "Lembaga"), ("Polresta", "Polres"), ("Kantah", "Kantor Pertanahan"),
])
def test_entity_type_variants(raw, canonical):
    assert R.canonical_entity_type(raw) == canonical


def test_every_canonical_entity_type_is_its_own_variant():
    assert [R.canonical_entity_type(t) for t in ENTITY_TYPES] == list(ENTITY_TYPES)


def test_unknown_entity_type_lists_the_allowed():
    with pytest.raises(UnknownValueError, match="Pemerintah Kabupaten"):
        R.canonical_entity_type("Desa")


@pytest.mark.parametrize("unit,unit_type", [
    ("DPMPTSP", "DPMPTSP"), ("DPM-PTSP", "DPMPTSP"), ("Dinas Penanaman Modal dan PTSP", "DPMPTSP"),
    ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP"),
    ("Dinas Penanaman Modal, Tenaga Kerja dan PTSP", "DPMPTSP"),
    ("Disdukcapil", "Dinas Dukcapil"), ("Dinas Dukcapil", "Dinas Dukcapil"),
    ("Dinas Kependudukan dan Pencatatan Sipil", "Dinas Dukcapil"), ("Dinkes", "Dinas Kesehatan"),
    ("DINAS KESEHATAN", "Dinas Kesehatan"), ("Disdik", "Dinas Pendidikan"),
    ("Dinas Pendidikan dan Kebudayaan", "Dinas Pendidikan"), ("Dinsos", "Dinas Sosial"),
    ("Puskesmas Taba Atas", "Puskesmas"), ("UPT Puskesmas Tunas Harapan", "Puskesmas"),
    ("UPT. Puskesmas Kampung Delima", "Puskesmas"), ("RSUD M. Yunus", "RSUD"),
    ("Rumah Sakit Umum Daerah dr. M. Yunus", "RSUD"), ("Penerbitan SKCK", "Lainnya"),
    ("SIM baru perseorangan (A/C)", "Lainnya"), ("Dinas Perhubungan", "Lainnya"), ("Dinas", "Lainnya"),
])
def test_unit_variants(unit, unit_type):
    assert R.resolve_unit_type(unit) == unit_type


def test_unit_type_declarations_name_only_canonical_types():
    units = pd.read_csv(config.UNIT_TYPES_CSV, dtype="string", keep_default_na=False)
    assert set(units["unit_type"]) == UNIT_TYPES - {"Lainnya"}
    for pattern in units["pattern"]:
        re.compile(pattern)


def test_province_variants_and_unknown():
    assert R.resolve_province("DKI Jakarta")[0] == "31"
    assert R.resolve_province("Prov. Sumatra Utara") == ("12", "Sumatera Utara")
    assert R.resolve_province("  17 ") == ("17", "Bengkulu")
    with pytest.raises(UnknownEntityError, match="Bengkulu") as err:
        R.resolve_province("Bengkuluu")
    assert err.value.suggestions == ["Provinsi Bengkulu (17)"]
    with pytest.raises(UnknownEntityError):
        R.resolve_province("Kota Bengkulu")  # a city is not a province


def test_repeated_resolution_is_served_from_the_cache():
    first = R.resolve_entity("Kab. Mukomuko", entity_type="Pemkab", province="Bengkulu")
    assert R.resolve_entity("Kab. Mukomuko", entity_type="Pemkab", province="Bengkulu") is first
    assert reference.get_resolver() is R
