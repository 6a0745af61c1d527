"""Reference entities (provinces, kabupaten/kota, ministries, agencies) and the name resolver."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

import pandas as pd

from . import config
from .errors import AmbiguousEntityError, UnknownEntityError, UnknownValueError
from .schemas import ENTITY_TYPES, REGIONAL

KIND_OF_TYPE = {"Pemerintah Provinsi": "provinsi", "Pemerintah Kabupaten": "kabupaten", "Pemerintah Kota": "kota"}
TYPE_OF_KIND = {kind: entity_type for entity_type, kind in KIND_OF_TYPE.items()}
REGIONAL_KINDS = ("kabupaten", "kota", "provinsi")

# How a name announces its kind: "[Pemerintah [Daerah] | Pemda] Kabupaten [Administrasi]", "Kab.",
# "Pemkab"... (matched on normalised text, longest first).
_KIND_WORDS = {"kabupaten": ["kabupaten administrasi", "kabupaten", "kab"],
               "kota": ["kota administrasi", "kota"], "provinsi": ["provinsi", "prov"]}
PREFIXES = sorted(
    [(f"{lead}{word} ", kind) for kind, words in _KIND_WORDS.items() for word in words
     for lead in ("", "pemerintah ", "pemerintah daerah ", "pemda ")]
    + [("pemkab ", "kabupaten"), ("pemkot ", "kota"), ("pemprov ", "provinsi")],
    key=lambda p: -len(p[0]),
)
ENTITY_TYPE_VARIANTS = {
    **{prefix.strip(): TYPE_OF_KIND[kind] for prefix, kind in PREFIXES},
    "kementerian": "Kementerian", "kementrian": "Kementerian", "lembaga": "Lembaga", "badan": "Lembaga",
    "polres": "Polres", "polresta": "Polres", "polrestabes": "Polres",
    "kantor pertanahan": "Kantor Pertanahan", "kantah": "Kantor Pertanahan",
    "kantor imigrasi": "Kantor Imigrasi", "kanim": "Kantor Imigrasi",
    "lapas": "Lapas", "lembaga pemasyarakatan": "Lapas",
}
# A Polres is named after the kabupaten/kota it serves: "Polres OKU Timur", "Polrestabes Palembang",
# "Polres Metro Bekasi Kota" (the trailing Kota marks the city force where a kabupaten shares the name).
POLICE_NAME = re.compile(r"^(?P<force>(polrestabes|polresta|polres)( metro)?) (?P<base>.+?)(?P<city> kota)?$")
LAND_OFFICE_NAME = re.compile(r"^(kantor pertanahan|kantah|kantor bpn) (?P<base>.+)$")
# Vertical offices named after the kabupaten/kota they sit in, with an optional class
# ("Kantor Imigrasi Kelas II TPI Sanggau", "Lapas Kelas IIA Yogyakarta").
_OFFICE_CLASS = r"(?: (?P<grade>kelas (?:i{1,3}|iv)[ab]?(?: non)?(?: tpi)?))?"
IMMIGRATION_NAME = re.compile(rf"^(?:kantor imigrasi|kanim){_OFFICE_CLASS} (?P<base>.+)$")
PRISON_NAME = re.compile(rf"^(?:lapas|lembaga pemasyarakatan){_OFFICE_CLASS} (?P<base>.+)$")
# entity type -> (code prefix, name pattern, name as written before the class and region)
VERTICAL_OFFICES = {"Kantor Imigrasi": ("IMI", IMMIGRATION_NAME, "Kantor Imigrasi"),
                    "Lapas": ("LAPAS", PRISON_NAME, "Lapas")}
REGIONAL_OFFICES = ("Polres", "Kantor Pertanahan", *VERTICAL_OFFICES)  # named after a kabupaten/kota
SLUG_CODE = re.compile(r"^POLRES\.(?P<province>\d{2})\.[a-z0-9]+(-[a-z0-9]+)*$")  # POLRES.<province>.<slug>


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


@dataclass(frozen=True)
class Contradiction:
    """A column written beside a code that names another entity: ``field`` is entity_type, province or entity."""

    field: str
    message: str
    named: Entity | None = None  # the entity the name names, when it names one


def normalise(text: str) -> str:
    """Case, punctuation and spacing folded so that variants of one name compare equal word by word."""
    text = str(text).replace("\u00a0", " ").casefold()
    return " ".join(re.sub(r"[.\-/,()'’]", " ", text).split())


def _compact(norm: str) -> str:
    """The matching key: spacing and hyphens ignored (Muko-Muko, Muko Muko, Mukomuko; no two regions collide)."""
    return norm.replace(" ", "")


def _split_prefix(norm: str) -> tuple[str | None, str]:
    for prefix, kind in PREFIXES:
        if norm.startswith(prefix):
            return kind, norm[len(prefix):]
    return None, norm


def _slug(norm: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", norm).strip("-")


def _kemendagri_code(code: str) -> str:
    """'17.06', '1706', and '17.1' (a code a spreadsheet stored as the number 17.10) -> '17.06' / '17.10'."""
    code = str(code).strip()
    if re.fullmatch(r"\d{4}", code):
        return f"{code[:2]}.{code[2:]}"
    if re.fullmatch(r"\d{2}\.\d", code):
        return f"{code}0"
    return code


def regencies() -> pd.DataFrame:
    """The 514 kabupaten/kota with Kemendagri codes (regions.csv, string dtype)."""
    return _regencies().copy()


def provinces() -> pd.DataFrame:
    """The 38 provinces: code, name."""
    return _provinces().copy()


def province_names() -> dict[str, str]:
    """Province code -> name (38 provinces)."""
    table = _provinces()
    return dict(zip(table["code"], table["name"], strict=True))


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
    """Turns names as written (variants, abbreviations, prefixes) into reference entities.

    A name is normalised (case, punctuation, spacing), its kind prefix split off by rule
    (``PREFIXES``), the declared variants of ``entity_aliases.csv`` applied (a whole name first,
    then word by word), and the rest matched with spaces removed. Results are cached per
    distinct (name, entity_type, province, code): callers may resolve each row.
    """

    def __init__(self):
        aliases = pd.read_csv(config.ENTITY_ALIASES_CSV, dtype="string", keep_default_na=False)
        by_scope = {scope: group for scope, group in aliases.groupby("scope")}
        self._word_aliases = {normalise(a): normalise(c)
                              for a, c in zip(by_scope["word"]["alias"], by_scope["word"]["canonical"])}
        self._whole_aliases = {  # scope -> {compact variant: normalised canonical}
            scope: {_compact(self._words(normalise(a))): self._words(normalise(c))
                    for a, c in zip(by_scope[scope]["alias"], by_scope[scope]["canonical"])}
            for scope in ("name", "province")
        }
        units = pd.read_csv(config.UNIT_TYPES_CSV, dtype="string", keep_default_na=False)
        self._unit_patterns = [(re.compile(p), t) for p, t in zip(units["pattern"], units["unit_type"])]

        self._by_code: dict[str, Entity] = {}
        self._by_key: dict[tuple[str, str], list[Entity]] = {}  # (kind, compact base name) -> entities
        self._bases: dict[str, str] = {}  # entity code -> base name as written ("Mukomuko")
        self._names: dict[str, dict[str, list[Entity]]] = {}  # kind -> normalised base name -> entities
        self._provinces = dict(zip(_provinces()["code"], _provinces()["name"]))
        for code, name in self._provinces.items():
            self._add(Entity(code, f"Provinsi {name}", "Pemerintah Provinsi", code, name), "provinsi", name)
        for row in _regencies().itertuples(index=False):
            entity = Entity(row.regency_code, row.regency_name, TYPE_OF_KIND[row.kind], row.province_code,
                            row.province_name)
            self._add(entity, row.kind, re.sub(r"^(Kabupaten|Kota)( Administrasi)? ", "", row.regency_name))
        for row in _agencies().itertuples(index=False):
            entity = Entity(row.code, row.name, row.entity_type, None, None)
            for variant in [row.name, *filter(None, row.aliases.split("|"))]:
                self._add(entity, row.entity_type.casefold(), variant)
        self._resolve_cached = functools.lru_cache(maxsize=None)(self._resolve)

    def _add(self, entity: Entity, kind: str, base: str) -> None:
        self._by_code[entity.code] = entity
        self._bases.setdefault(entity.code, base)
        norm = self._words(normalise(base))
        for bucket in (self._by_key.setdefault((kind, _compact(norm)), []),
                       self._names.setdefault(kind, {}).setdefault(norm, [])):
            if entity not in bucket:
                bucket.append(entity)

    def _words(self, norm: str) -> str:
        """Declared word variants (Sumatra -> Sumatera, Kep -> Kepulauan)."""
        return " ".join(self._word_aliases.get(word, word) for word in norm.split())

    def _base_key(self, base: str, kind: str | None) -> str:
        """The matching key of a base name (prefix removed) read as ``kind``.

        Province short forms (DKI Jakarta, Yogyakarta) apply to provinces only: Kota Yogyakarta stays a city.
        """
        norm = self._words(base)
        whole = self._whole_aliases["province" if kind == "provinsi" else "name"]
        return _compact(whole.get(_compact(norm), norm))

    # --- public interface ---------------------------------------------------------------------------

    def canonical_entity_type(self, raw: str) -> str:
        """'Pemkab', 'KABUPATEN', 'Pemerintah Kabupaten' -> 'Pemerintah Kabupaten'."""
        norm = normalise(raw)
        if norm in ENTITY_TYPE_VARIANTS:
            return ENTITY_TYPE_VARIANTS[norm]
        raise UnknownValueError(raw, "jenis instansi", ENTITY_TYPES)

    def resolve_province(self, name_or_code: str) -> tuple[str, str]:
        """A province name, variant ('Sumatra Barat', 'DKI Jakarta', 'Prov. Bengkulu') or code -> (code, name)."""
        text = " ".join(str(name_or_code).split())
        if text in self._provinces:
            return text, self._provinces[text]
        kind, base = _split_prefix(normalise(text))
        found = self._by_key.get(("provinsi", self._base_key(base, "provinsi")), [])
        if found and kind in (None, "provinsi"):
            return found[0].code, found[0].province_name
        raise UnknownEntityError(text, self._suggest(base, None, ["provinsi"]),
                                 expected="a province name or 2-digit code")

    def resolve_unit_type(self, unit_name: str) -> str:
        """'Disdukcapil', 'UPT Puskesmas Tunas Harapan' -> canonical unit type; 'Lainnya' otherwise."""
        norm = " ".join(str(unit_name).replace("\u00a0", " ").casefold().split())
        for pattern, unit_type in self._unit_patterns:
            if pattern.match(norm):
                return unit_type
        return "Lainnya"

    def resolve_entity(self, name: str | None, *, entity_type: str | None = None, province: str | None = None,
                       code: str | None = None) -> Entity:
        """The entity a name refers to; the kind (from the name's prefix or ``entity_type``) and the
        province (name, variant or code) tell apart names shared by a kabupaten, a kota and a province.

        A ``code`` (Kemendagri '17.06' / '17', 'KEM.06', 'POLRES.16.08') wins over the name: exports
        carry Kode Wilayah because names vary. A name or type that contradicts the code is not an
        error here; ``contradictions`` says what contradicts, for the caller to report.
        Raises UnknownEntityError (with ``suggestions``) or AmbiguousEntityError (with ``candidates``).
        """
        return self._resolve_cached(name, entity_type, province, code)

    def contradictions(self, entity: Entity, *, name: str | None = None, entity_type: str | None = None,
                       province: str | None = None) -> list[Contradiction]:
        """What a name, type or province written beside a code says against the entity the code gave.

        A name that resolves to nobody contradicts only by the kind it announces ("Kota X" beside a
        kabupaten's code); an ambiguous name does not (the code decides).
        """
        found = []
        is_ = f"{entity.code} is {entity.name}"
        if entity_type and self.canonical_entity_type(entity_type) != entity.entity_type:
            found.append(Contradiction("entity_type", f"{entity_type!r}, but {is_}, a {entity.entity_type}"))
        if province and entity.province_code and self.resolve_province(province)[0] != entity.province_code:
            found.append(Contradiction("province", f"{province!r}, but {is_}, in {entity.province_name}"))
        if name:
            office = entity.entity_type if entity.entity_type in REGIONAL_OFFICES else None
            named = None
            for context in (entity.province_code, None):  # the name read on its own: in the code's province, else anywhere
                try:
                    named = self.resolve_entity(name, entity_type=office, province=context)
                    break
                except AmbiguousEntityError:
                    break
                except UnknownEntityError:
                    continue
            kind = self.entity_type_of_name(name)
            if named is not None and named.code != entity.code:
                found.append(Contradiction("entity", f"{name!r} is {named.label()}, but {is_}", named))
            elif named is None and kind and kind != entity.entity_type:
                found.append(Contradiction("entity", f"{name!r} names a {kind}, but {is_}, a {entity.entity_type}"))
        return found

    def entity_type_of_name(self, name: str) -> str | None:
        """The entity type a name announces by its prefix ('Kab. X', 'Polres X'), else None."""
        norm = normalise(name)
        if POLICE_NAME.match(norm):
            return "Polres"
        if LAND_OFFICE_NAME.match(norm):
            return "Kantor Pertanahan"
        kind, _ = _split_prefix(norm)
        return TYPE_OF_KIND.get(kind)

    # --- resolution ----------------------------------------------------------------------------------

    def _resolve(self, name, entity_type, province, code) -> Entity:
        wanted_type = self.canonical_entity_type(entity_type) if entity_type else None
        province_code = self.resolve_province(province)[0] if province else None
        if code:
            return self._from_code(_kemendagri_code(code), name)
        if name is None or not normalise(name):
            raise UnknownEntityError("", [], expected="an entity name such as Kabupaten Mukomuko")
        norm = normalise(name)
        if wanted_type == "Polres" or POLICE_NAME.match(norm):
            return self._police(name, province_code)
        if wanted_type == "Kantor Pertanahan" or LAND_OFFICE_NAME.match(norm):
            return self._land_office(name, province_code)
        for office, (_, pattern, _) in VERTICAL_OFFICES.items():
            if wanted_type == office or pattern.match(norm):
                return self._vertical_office(office, name, province_code)
        kind, base = _split_prefix(norm)
        type_kind = KIND_OF_TYPE.get(wanted_type) or (wanted_type.casefold() if wanted_type else None)
        if kind and type_kind and kind != type_kind:
            raise UnknownEntityError(name, self._suggest(base, province_code, [kind]),
                                     expected=f"a {type_kind} name, as the entity type says {wanted_type}")
        kinds = [kind or type_kind] if (kind or type_kind) else [*REGIONAL_KINDS, "kementerian", "lembaga"]
        candidates = self._lookup(base, kinds, province_code)
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            raise AmbiguousEntityError(name, [e.label() for e in candidates])
        raise UnknownEntityError(name, self._suggest(base, province_code, kinds))

    def _lookup(self, base: str, kinds: list[str], province_code: str | None) -> list[Entity]:
        found = [e for k in kinds for e in self._by_key.get((k, self._base_key(base, k)), [])]
        return [e for e in found if province_code in (None, e.province_code) or e.province_code is None]

    def _from_code(self, code: str, name: str | None) -> Entity:
        if code in self._by_code:
            return self._by_code[code]
        office, _, region_code = code.partition(".")
        region = self._by_code.get(region_code)
        if region is not None and region.entity_type in REGIONAL:
            if office == "POLRES":
                return self._police_of(region, normalise(name or ""))
            if office == "ATR":
                return self._land_office_of(region)
            for entity_type, (prefix, pattern, _) in VERTICAL_OFFICES.items():
                if office == prefix:
                    parts = pattern.match(normalise(name or ""))
                    return self._vertical_office_of(entity_type, region, parts["grade"] if parts else None)
        slug = SLUG_CODE.match(code)
        if slug and slug["province"] in self._provinces and name and normalise(name):
            province = slug["province"]
            return Entity(code, " ".join(str(name).split()), "Polres", province, self._provinces[province])
        raise UnknownEntityError(code, [], expected="a Kemendagri code such as 17.06 or 17, a code from "
                                                    "agencies.csv, POLRES.<code>, ATR.<code>, IMI.<code> "
                                                    "or LAPAS.<code>")

    def _regions(self, base: str, province_code: str | None) -> list[Entity]:
        """The kabupaten/kota a Polres or Kantor Pertanahan base name refers to ('Kota Bengkulu', 'OKU Timur')."""
        kind, base = _split_prefix(base)
        return self._lookup(base, [kind] if kind in ("kabupaten", "kota") else ["kabupaten", "kota"], province_code)

    def _police(self, name: str, province_code: str | None) -> Entity:
        """A Polres: coded after the kabupaten/kota it serves, else POLRES.<province>.<slug>.

        Where a kabupaten and a kota of one province share the name, the bare name is the kabupaten's
        force (Polres Malang, Polresta Bandung) and the city's is a Polrestabes or carries a trailing
        "Kota" (Polres Kediri Kota, Polresta Malang Kota).
        """
        norm = normalise(name)
        parts = POLICE_NAME.match(norm)
        force, base, city = (parts["force"], parts["base"], parts["city"]) if parts else ("polres", norm, None)
        regions = self._regions(base + (city or ""), province_code)
        if not regions and city:
            regions = [e for e in self._regions(base, province_code) if e.entity_type == "Pemerintah Kota"]
        if len(regions) > 1 and force.startswith("polrestabes"):
            regions = [e for e in regions if e.entity_type == "Pemerintah Kota"]
        if len(regions) > 1 and len({e.province_code for e in regions}) == 1:
            regions = [e for e in regions if e.entity_type == "Pemerintah Kabupaten"]
        if len(regions) == 1:
            return self._police_of(regions[0], norm)
        if len(regions) > 1:
            raise AmbiguousEntityError(name, [e.label() for e in regions])
        if province_code is None:
            raise UnknownEntityError(name, self._suggest(base, None, ["kabupaten", "kota"]),
                                     expected="a Polres named after a kabupaten/kota, or its province so that it "
                                              "can be coded POLRES.<province code>.<name>")
        slug = _slug(base + (city or ""))
        return Entity(f"POLRES.{province_code}.{slug}", " ".join(str(name).split()),
                      "Polres", province_code, self._provinces[province_code])

    def _police_of(self, region: Entity, norm: str) -> Entity:
        """The Polres serving a kabupaten/kota, named with the force as written and the region's own spelling."""
        parts = POLICE_NAME.match(norm)
        force = parts["force"].title() if parts else "Polres"
        city = " Kota" if parts and parts["city"] and region.entity_type == "Pemerintah Kota" else ""
        return Entity(f"POLRES.{region.code}", f"{force} {self._bases[region.code]}{city}", "Polres",
                      region.province_code, region.province_name)

    def _land_office(self, name: str, province_code: str | None) -> Entity:
        """A Kantor Pertanahan (land office of one kabupaten/kota): ATR.<regency code>."""
        norm = normalise(name)
        parts = LAND_OFFICE_NAME.match(norm)
        base = parts["base"] if parts else norm
        regions = self._regions(base, province_code)
        if len(regions) == 1:
            return self._land_office_of(regions[0])
        if regions:
            raise AmbiguousEntityError(name, [e.label() for e in regions])
        raise UnknownEntityError(name, self._suggest(base, province_code, ["kabupaten", "kota"]),
                                 expected="a Kantor Pertanahan named after its kabupaten/kota")

    def _land_office_of(self, region: Entity) -> Entity:
        return Entity(f"ATR.{region.code}", f"Kantor Pertanahan {region.name}", "Kantor Pertanahan",
                      region.province_code, region.province_name)

    def _vertical_office(self, entity_type: str, name: str, province_code: str | None) -> Entity:
        """A Kantor Imigrasi or Lapas, coded after the kabupaten/kota in its name: IMI.<code>, LAPAS.<code>."""
        _, pattern, _ = VERTICAL_OFFICES[entity_type]
        parts = pattern.match(normalise(name))
        base = parts["base"] if parts else normalise(name)
        regions = self._regions(base, province_code)
        if len(regions) == 1:
            return self._vertical_office_of(entity_type, regions[0], parts["grade"] if parts else None)
        if regions:
            raise AmbiguousEntityError(name, [e.label() for e in regions])
        raise UnknownEntityError(name, self._suggest(base, province_code, ["kabupaten", "kota"]),
                                 expected=f"a {entity_type} named after its kabupaten/kota")

    def _vertical_office_of(self, entity_type: str, region: Entity, grade: str | None) -> Entity:
        """Named with its class as written, in capitals where they are Roman numerals or TPI ("Kelas IIA")."""
        prefix, _, title = VERTICAL_OFFICES[entity_type]
        grade_text = " ".join(w.capitalize() if w in ("kelas", "non") else w.upper() for w in grade.split()) \
            if grade else None
        name = " ".join(filter(None, [title, grade_text, self._bases[region.code]]))
        return Entity(f"{prefix}.{region.code}", name, entity_type, region.province_code, region.province_name)

    def _suggest(self, base: str, province_code: str | None, kinds: list[str]) -> list[str]:
        """Up to three nearest known names of these kinds ('Kabupaten Mukomuko (17.06)'), by normalised base name."""
        names: dict[str, list[Entity]] = {}
        for kind in kinds:
            for base_name, entities in self._names.get(kind, {}).items():
                names.setdefault(base_name, []).extend(entities)
        matches = difflib.get_close_matches(self._words(base), list(names), n=5, cutoff=0.75)
        labels = [e.label() for match in matches for e in names[match] if province_code in (None, e.province_code)]
        return list(dict.fromkeys(labels))[:3]


@functools.cache
def get_resolver() -> Resolver:
    """The shared resolver (reference tables are read once per process)."""
    return Resolver()
