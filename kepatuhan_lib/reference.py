"""Reference entities (provinces, kabupaten/kota, ministries, agencies) and the name resolver."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

import pandas as pd

from . import config
from .errors import AmbiguousEntityError, UnknownEntityError, UnknownValueError

ENTITY_TYPES = (
    "Kementerian", "Lembaga", "Pemerintah Provinsi", "Pemerintah Kabupaten", "Pemerintah Kota",
    "Polres", "Kantor Pertanahan",
)
KIND_OF_TYPE = {"Pemerintah Provinsi": "provinsi", "Pemerintah Kabupaten": "kabupaten", "Pemerintah Kota": "kota"}
TYPE_OF_KIND = {kind: entity_type for entity_type, kind in KIND_OF_TYPE.items()}

# Name prefixes, longest first, and the kind each announces ("Pemkab" = Pemerintah Kabupaten).
PREFIXES = [
    ("pemerintah kabupaten administrasi ", "kabupaten"), ("pemerintah kabupaten ", "kabupaten"),
    ("pemerintah kota administrasi ", "kota"), ("pemerintah kota ", "kota"),
    ("pemerintah provinsi ", "provinsi"), ("kabupaten administrasi ", "kabupaten"),
    ("kota administrasi ", "kota"), ("kabupaten ", "kabupaten"), ("pemkab ", "kabupaten"),
    ("kab ", "kabupaten"), ("pemkot ", "kota"), ("kota ", "kota"), ("pemprov ", "provinsi"),
    ("provinsi ", "provinsi"), ("prov ", "provinsi"),
]
ENTITY_TYPE_VARIANTS = {
    "kementerian": "Kementerian", "kementrian": "Kementerian", "lembaga": "Lembaga", "badan": "Lembaga",
    "pemerintah provinsi": "Pemerintah Provinsi", "pemprov": "Pemerintah Provinsi", "provinsi": "Pemerintah Provinsi",
    "prov": "Pemerintah Provinsi", "pemerintah kabupaten": "Pemerintah Kabupaten", "pemkab": "Pemerintah Kabupaten",
    "kabupaten": "Pemerintah Kabupaten", "kab": "Pemerintah Kabupaten", "pemerintah kota": "Pemerintah Kota",
    "pemkot": "Pemerintah Kota", "kota": "Pemerintah Kota", "polres": "Polres", "polresta": "Polres",
    "polrestabes": "Polres", "kantor pertanahan": "Kantor Pertanahan", "kantah": "Kantor Pertanahan",
}
POLRES_PREFIX = re.compile(r"^(polrestabes|polresta|polres)\s+")
ATR_PREFIX = re.compile(r"^(kantor pertanahan|kantah)\s+")


@dataclass(frozen=True)
class Entity:
    """One assessed body, keyed by its code (Kemendagri for regional governments)."""

    code: str
    name: str
    entity_type: str
    province_code: str | None
    province_name: str | None

    def label(self) -> str:
        return f"{self.name} ({self.code})"


def normalise(text: str) -> str:
    """Case, punctuation and spacing folded so that variants of one name compare equal."""
    text = str(text).replace("\u00a0", " ").casefold()
    text = re.sub(r"[.\-/,()]", " ", text)
    text = re.sub(r"\bkep\b", "kepulauan", text)
    return " ".join(text.split())


def _split_prefix(norm: str) -> tuple[str | None, str]:
    for prefix, kind in PREFIXES:
        if norm.startswith(prefix):
            return kind, norm[len(prefix):]
    return None, norm


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalise(text)).strip("-")


def regencies() -> pd.DataFrame:
    """The 514 kabupaten/kota with Kemendagri codes (regions.csv, string dtype)."""
    return _regencies().copy()


def provinces() -> pd.DataFrame:
    """The 38 provinces: code, name."""
    return _provinces().copy()


def agencies() -> pd.DataFrame:
    """Ministries and agencies: code, name, entity_type, aliases, source."""
    return _agencies().copy()


@functools.cache
def _regencies() -> pd.DataFrame:
    return pd.read_csv(config.REGIONS_CSV, dtype="string", keep_default_na=False)


@functools.cache
def _provinces() -> pd.DataFrame:
    table = _regencies()[["province_code", "province_name"]].drop_duplicates()
    return table.rename(columns={"province_code": "code", "province_name": "name"}).reset_index(drop=True)


@functools.cache
def _agencies() -> pd.DataFrame:
    return pd.read_csv(config.AGENCIES_CSV, dtype="string", keep_default_na=False)


class Resolver:
    """Turns names as written (variants, abbreviations, prefixes) into reference entities."""

    def __init__(self):
        aliases = pd.read_csv(config.ENTITY_ALIASES_CSV, dtype="string", keep_default_na=False)
        self._aliases = {  # scope -> {variant: canonical}, all normalised
            scope: {normalise(a): normalise(c) for a, c in zip(group["alias"], group["canonical"])}
            for scope, group in aliases.groupby("scope")
        }
        units = pd.read_csv(config.UNIT_TYPES_CSV, dtype="string", keep_default_na=False)
        self._unit_patterns = [(re.compile(p), t) for p, t in zip(units["pattern"], units["unit_type"])]

        self._by_code: dict[str, Entity] = {}
        self._by_key: dict[tuple[str, str], list[Entity]] = {}  # (kind, base name) -> entities
        self._province_by_base: dict[str, tuple[str, str]] = {}
        for code, name in zip(_provinces()["code"], _provinces()["name"]):
            entity = Entity(code, f"Provinsi {name}", "Pemerintah Provinsi", code, name)
            self._add(entity, "provinsi", normalise(name))
            self._province_by_base[normalise(name)] = (code, name)
        for row in _regencies().itertuples(index=False):
            entity = Entity(row.regency_code, row.regency_name, TYPE_OF_KIND[row.kind], row.province_code,
                            row.province_name)
            self._add(entity, row.kind, _split_prefix(normalise(row.regency_name))[1])
        for row in _agencies().itertuples(index=False):
            entity = Entity(row.code, row.name, row.entity_type, None, None)
            for variant in [row.name, *filter(None, row.aliases.split("|"))]:
                self._add(entity, row.entity_type.casefold(), normalise(variant))
        self._suggestion_keys = {f"{kind} {base}": entities for (kind, base), entities in self._by_key.items()}

    def _add(self, entity: Entity, kind: str, base: str) -> None:
        self._by_code[entity.code] = entity
        bucket = self._by_key.setdefault((kind, base), [])
        if entity not in bucket:
            bucket.append(entity)

    def _alias(self, base: str, kind: str | None = None) -> str:
        """Declared spelling variants: the whole name first, then word by word (Sumatra -> Sumatera).

        Province short forms (DKI Jakarta, DIY) apply to provinces only: Kota Yogyakarta stays a city.
        """
        whole = self._aliases["province" if kind == "provinsi" else "name"]
        if base in whole:
            return whole[base]
        return " ".join(self._aliases["word"].get(word, word) for word in base.split())

    def canonical_entity_type(self, raw: str) -> str:
        """'Pemkab', 'KABUPATEN', 'Pemerintah Kabupaten' -> 'Pemerintah Kabupaten'."""
        norm = normalise(raw)
        if norm in ENTITY_TYPE_VARIANTS:
            return ENTITY_TYPE_VARIANTS[norm]
        raise UnknownValueError(raw, "jenis instansi", ENTITY_TYPES)

    def resolve_province(self, name_or_code: str) -> tuple[str, str]:
        """A province name, variant or 2-digit code -> (code, canonical name)."""
        text = str(name_or_code).strip()
        provinces_by_code = dict(zip(_provinces()["code"], _provinces()["name"]))
        if text in provinces_by_code:
            return text, provinces_by_code[text]
        kind, base = _split_prefix(normalise(text))
        base = self._alias(base, "provinsi")
        if kind in (None, "provinsi") and base in self._province_by_base:
            return self._province_by_base[base]
        choices = difflib.get_close_matches(base, list(self._province_by_base), n=3, cutoff=0.6)
        raise UnknownEntityError(text, [f"{self._province_by_base[c][1]} ({self._province_by_base[c][0]})"
                                        for c in choices], expected="a province name or 2-digit code")

    def resolve_unit_type(self, unit_name: str) -> str:
        """'Disdukcapil', 'UPT Puskesmas Tunas Harapan' -> canonical unit type; 'Lainnya' otherwise."""
        norm = " ".join(str(unit_name).replace("\u00a0", " ").casefold().split())
        for pattern, unit_type in self._unit_patterns:
            if pattern.match(norm):
                return unit_type
        return "Lainnya"

    def resolve_entity(self, name: str, *, entity_type: str | None = None, province: str | None = None,
                       code: str | None = None) -> Entity:
        """The entity a name refers to; kind (from the name or entity_type) and province disambiguate.

        A code, when given, wins over the name: exports carry Kode Wilayah for this reason.
        """
        return self._resolve(name, entity_type, province, code)

    @functools.lru_cache(maxsize=65536)
    def _resolve(self, name, entity_type, province, code) -> Entity:
        wanted_type = self.canonical_entity_type(entity_type) if entity_type else None
        province_code = self.resolve_province(province)[0] if province else None
        if code:
            return self._by_code_or_derived(str(code).strip(), name, wanted_type, province_code)
        norm = normalise(name)
        if wanted_type == "Polres" or POLRES_PREFIX.match(norm):
            return self._special_unit(name, POLRES_PREFIX, "Polres", "POLRES", province_code)
        if wanted_type == "Kantor Pertanahan" or ATR_PREFIX.match(norm):
            return self._special_unit(name, ATR_PREFIX, "Kantor Pertanahan", "ATR", province_code)
        kind, base = _split_prefix(norm)
        type_kind = KIND_OF_TYPE.get(wanted_type) or (wanted_type.casefold() if wanted_type else None)
        kinds = [kind or type_kind] if (kind or type_kind) else ["kabupaten", "kota", "provinsi", "kementerian", "lembaga"]
        if kind and type_kind and kind != type_kind:
            raise UnknownEntityError(name, self._suggest(norm, province_code),
                                     expected=f"a {type_kind} name, as Jenis Instansi says {wanted_type}")
        candidates = [e for k in kinds for e in self._by_key.get((k, self._alias(base, k)), [])]
        if province_code:
            candidates = [e for e in candidates if e.province_code in (province_code, None)]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            raise AmbiguousEntityError(name, [e.label() for e in candidates])
        raise UnknownEntityError(name, self._suggest(norm, province_code))

    def _by_code_or_derived(self, code, name, wanted_type, province_code) -> Entity:
        if code in self._by_code:
            return self._by_code[code]
        for prefix, entity_type in (("POLRES.", "Polres"), ("ATR.", "Kantor Pertanahan")):
            if code.startswith(prefix) and code[len(prefix):] in self._by_code:
                region = self._by_code[code[len(prefix):]]
                return Entity(code, str(name).strip(), entity_type, region.province_code, region.province_name)
        raise UnknownEntityError(code, [], expected="a Kemendagri code such as 17.06, or one from agencies.csv")

    def _special_unit(self, name, prefix, entity_type, code_prefix, province_code) -> Entity:
        """A Polres or Kantor Pertanahan: coded after the kabupaten/kota it serves where one matches."""
        display = " ".join(str(name).split())
        base = self._alias(prefix.sub("", normalise(name)))
        kind, base = _split_prefix(base)
        regions = [e for k in ([kind] if kind else ["kabupaten", "kota"]) for e in self._by_key.get((k, base), [])
                   if province_code in (None, e.province_code)]
        if len(regions) > 1 and normalise(name).startswith(("polresta", "polrestabes")):
            regions = [e for e in regions if e.entity_type == "Pemerintah Kota"]  # Polresta(bes): a city force
        if len(regions) == 1:
            region = regions[0]
            return Entity(f"{code_prefix}.{region.code}", display, entity_type, region.province_code,
                          region.province_name)
        if province_code is None:
            raise UnknownEntityError(name, [], expected=f"a {entity_type} with its province")
        province_name = self.resolve_province(province_code)[1]
        return Entity(f"{code_prefix}.{province_code}.{_slug(base)}", display, entity_type, province_code, province_name)

    def _suggest(self, norm: str, province_code: str | None) -> list[str]:
        kind, base = _split_prefix(norm)
        query = f"{kind} {self._alias(base)}" if kind else self._alias(base)
        keys = self._suggestion_keys if kind else {k.split(" ", 1)[1]: v for k, v in self._suggestion_keys.items()}
        labels = []
        for key in difflib.get_close_matches(query, list(keys), n=5, cutoff=0.75):
            labels += [e.label() for e in keys[key] if province_code in (None, e.province_code)]
        return list(dict.fromkeys(labels))[:3]


@functools.cache
def get_resolver() -> Resolver:
    """The shared resolver (reference tables are read once per process)."""
    return Resolver()
