"""The resolver: every official name, the declared variants, the ambiguous pairs, suggestions."""

import pytest

from kepatuhan_lib import reference
from kepatuhan_lib.errors import AmbiguousEntityError, UnknownEntityError, UnknownValueError

R = reference.get_resolver()


def test_reference_tables_have_the_official_counts():
    regencies = reference.regencies()
    assert len(reference.provinces()) == 38
    assert len(regencies) == 514
    assert regencies["kind"].value_counts().to_dict() == {"kabupaten": 416, "kota": 98}


@pytest.mark.parametrize("row", reference.regencies().to_dict("records"), ids=lambda r: r["regency_code"])
def test_every_official_regency_name_resolves_to_its_own_code(row):
    assert R.resolve_entity(row["regency_name"], province=row["province_code"]).code == row["regency_code"]
    assert R.resolve_entity(row["regency_name"]).code == row["regency_code"]


@pytest.mark.parametrize("row", reference.provinces().to_dict("records"), ids=lambda r: r["code"])
def test_every_province_resolves_by_name_and_as_an_entity(row):
    assert R.resolve_province(row["name"]) == (row["code"], row["name"])
    assert R.resolve_entity(f"Provinsi {row['name']}").code == row["code"]


@pytest.mark.parametrize("variant", [
    "Kab. Mukomuko", "KABUPATEN MUKOMUKO", "Pemkab Mukomuko", "Kabupaten Muko-Muko", "kab muko muko",
    "Pemerintah Kabupaten Mukomuko", "  Kabupaten\u00a0Mukomuko ",
])
def test_mukomuko_variants(variant):
    assert R.resolve_entity(variant).code == "17.06"


@pytest.mark.parametrize("name,kwargs,code", [
    ("OKU Timur", {"entity_type": "Pemerintah Kabupaten"}, "16.08"),
    ("Kab. OKU Timur", {}, "16.08"),
    ("Kota Tanjung Balai", {}, "12.74"),
    ("Kota Padang Sidempuan", {}, "12.77"),
    ("Kabupaten Toli Toli", {}, "72.04"),
    ("Kabupaten Toba Samosir", {}, "12.12"),
    ("Pemkot Lubuklinggau", {}, "16.73"),
    ("Kota Administrasi Jakarta Pusat", {}, "31.71"),
    ("Kota Yogyakarta", {}, "34.71"),
    ("Pemprov Sumatra Barat", {}, "13"),
    ("Kementerian ATR/BPN", {}, "KEM.07"),
    ("BPOM", {"entity_type": "Lembaga"}, "LEM.01"),
])
def test_declared_variants(name, kwargs, code):
    assert R.resolve_entity(name, **kwargs).code == code


@pytest.mark.parametrize("name,kwargs,code", [
    ("Kota Bengkulu", {}, "17.71"),
    ("Provinsi Bengkulu", {}, "17"),
    ("Bengkulu", {"entity_type": "Pemerintah Provinsi"}, "17"),
    ("Bengkulu", {"entity_type": "Pemerintah Kota"}, "17.71"),
    ("Gorontalo", {"entity_type": "Pemprov"}, "75"),
    ("Kota Jambi", {}, "15.71"),
    ("Kota Banjar", {}, "32.79"),
    ("Kabupaten Banjar", {}, "63.03"),
    ("Banjar", {"province": "Jawa Barat"}, "32.79"),
    ("Banjar", {"province": "Kalimantan Selatan"}, "63.03"),
    ("Bandung", {"entity_type": "Pemerintah Kota"}, "32.73"),
])
def test_kind_and_province_tell_the_ambiguous_pairs_apart(name, kwargs, code):
    assert R.resolve_entity(name, **kwargs).code == code


@pytest.mark.parametrize("name", ["Bandung", "Banjar", "Bengkulu", "Jambi"])
def test_a_bare_shared_name_is_ambiguous(name):
    with pytest.raises(AmbiguousEntityError) as err:
        R.resolve_entity(name)
    assert len(err.value.candidates) == 2


def test_unknown_name_suggests_the_nearest():
    with pytest.raises(UnknownEntityError) as err:
        R.resolve_entity("Kabupaten Mukomoko")
    assert err.value.suggestions[0] == "Kabupaten Mukomuko (17.06)"
    assert "did you mean Kabupaten Mukomuko (17.06)?" in str(err.value)


def test_kind_that_contradicts_the_type_is_refused():
    with pytest.raises(UnknownEntityError, match="Pemerintah Kabupaten"):
        R.resolve_entity("Kota Bengkulu", entity_type="Pemerintah Kabupaten")


def test_code_wins_over_the_name():
    assert R.resolve_entity("Muko", code="17.06").name == "Kabupaten Mukomuko"
    with pytest.raises(UnknownEntityError):
        R.resolve_entity("Kabupaten Mukomuko", code="17.99")


@pytest.mark.parametrize("name,province,code", [
    ("Polres OKU Timur", "Sumatera Selatan", "POLRES.16.08"),
    ("Polrestabes Palembang", None, "POLRES.16.71"),
    ("Polres Lubuklinggau", None, "POLRES.16.73"),
    ("Polres Tanah Datar", "Sumatera Barat", "POLRES.13.04"),
])
def test_polres_is_coded_after_the_region_it_serves(name, province, code):
    entity = R.resolve_entity(name, entity_type="Polres", province=province)
    assert (entity.code, entity.entity_type) == (code, "Polres")


@pytest.mark.parametrize("raw,canonical", [
    ("Pemkab", "Pemerintah Kabupaten"), ("KABUPATEN", "Pemerintah Kabupaten"), ("Pemkot", "Pemerintah Kota"),
    ("pemerintah provinsi", "Pemerintah Provinsi"), ("Kementerian", "Kementerian"), ("Polres", "Polres"),
])
def test_entity_type_variants(raw, canonical):
    assert R.canonical_entity_type(raw) == canonical


def test_unknown_entity_type_lists_the_allowed():
    with pytest.raises(UnknownValueError, match="Pemerintah Kabupaten"):
        R.canonical_entity_type("Desa")


@pytest.mark.parametrize("unit,unit_type", [
    ("DPMPTSP", "DPMPTSP"), ("Dinas Penanaman Modal dan PTSP", "DPMPTSP"),
    ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP"), ("Disdukcapil", "Dinas Dukcapil"),
    ("Dinas Kependudukan dan Pencatatan Sipil", "Dinas Dukcapil"), ("Dinkes", "Dinas Kesehatan"),
    ("Disdik", "Dinas Pendidikan"), ("Dinas Pendidikan dan Kebudayaan", "Dinas Pendidikan"),
    ("Dinsos", "Dinas Sosial"), ("Puskesmas Taba Atas", "Puskesmas"), ("UPT Puskesmas Tunas Harapan", "Puskesmas"),
    ("RSUD M. Yunus", "RSUD"), ("Penerbitan SKCK", "Lainnya"),
])
def test_unit_variants(unit, unit_type):
    assert R.resolve_unit_type(unit) == unit_type


def test_province_variants_and_unknown():
    assert R.resolve_province("DKI Jakarta")[0] == "31"
    assert R.resolve_province("17") == ("17", "Bengkulu")
    with pytest.raises(UnknownEntityError, match="Bengkulu"):
        R.resolve_province("Bengkuluu")
