"""Every path the project reads or writes, in one place."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# KEPATUHAN_ROOT lets tests and scheduled builds point the whole project at another tree.
ROOT = Path(os.environ.get("KEPATUHAN_ROOT", PACKAGE_DIR.parent)).resolve()

# Declarations shipped inside the package (read-only).
PACKAGE_DATA_DIR = PACKAGE_DIR / "data"
REFERENCE_DIR = PACKAGE_DATA_DIR / "reference"
REGIONS_CSV = REFERENCE_DIR / "regions.csv"
ENTITY_ALIASES_CSV = REFERENCE_DIR / "entity_aliases.csv"
UNIT_TYPES_CSV = REFERENCE_DIR / "unit_types.csv"
AGENCIES_CSV = REFERENCE_DIR / "agencies.csv"
COLUMN_MAPPINGS_DIR = PACKAGE_DATA_DIR / "column_mappings"
METHODOLOGY_DIR = PACKAGE_DATA_DIR / "methodology"
SYNTHETIC_DECLARATIONS_DIR = PACKAGE_DATA_DIR / "synthetic"  # the example-export generator's inputs
TEMPLATES_DIR = PACKAGE_DIR / "templates"
SECTION_TEMPLATES_DIR = TEMPLATES_DIR / "sections"  # the HTML of the report sections (reports/sections/)
# The report pages' stylesheet: it declares every colour (its :root), the charts' too (reports/palette.py).
STYLESHEET = TEMPLATES_DIR / "kepatuhan" / "static" / "kepatuhan.css"
LOCALE_DIR = PACKAGE_DIR / "locale"  # gettext catalogues: <lang>/LC_MESSAGES/kepatuhan.po and .mo (i18n.py)
TILE_GRID_CSV = PACKAGE_DATA_DIR / "tile_grid.csv"  # the 38 provinces on the national map

# Data: raw is immutable input, processed is derived.
DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PUBLISHED_RAW_DIR = RAW_DIR / "published"  # real published results (data/raw/published/README.md)
# Every release of the published results, oldest first: `published.load_published` reads them all,
# in this order (which also orders the chosen-figure rule's "first in file order").
PUBLISHED_RELEASES: tuple[Path, ...] = (
    PUBLISHED_RAW_DIR / "published_results.csv",  # release 1 ("r1"): 2015-2024
    PUBLISHED_RAW_DIR / "2026-12" / "published_results_additions.csv",  # release 2 ("r2"), compiled 2026-12
)
PUBLISHED_RAW_CSV = PUBLISHED_RELEASES[0]  # release 1 alone (the reports' footer names it)
PUBLISHED_NATIONAL_COUNTS_CSV = PUBLISHED_RAW_DIR / "national_counts.csv"  # methodology.md "National counts"
EXPORTS_RAW_DIR = RAW_DIR / "exports"  # analysts drop their own exports here (real input only)
SYNTHETIC_EXAMPLES_DIR = DATA_DIR / "synthetic_examples"  # committed synthetic example exports (Bengkulu, Maluku)
SYNTHETIC_DIR = DATA_DIR / "synthetic"  # generated national example set (not committed)
RAW_SUBSET_BUILD_DIR = ROOT / "build" / "raw-subset"  # generated subset, copied by hand into SYNTHETIC_EXAMPLES_DIR
BENCH_DIR = ROOT / ".bench"  # benchmark archives (not committed)
PROCESSED_DIR = DATA_DIR / "processed"  # per edition: its generations and a link to the current one

# Editions: which inputs a set of reports is built from (data/processed/<edition>/, reports/<edition>/).
# terbitan: the published facts only; contoh: the synthetic example exports with the published facts;
# ekspor: the analyst's own exports in data/raw/exports/ with the published facts.
EDITIONS = ("terbitan", "contoh", "ekspor")
PUBLIC_EDITION = "terbitan"


def edition_export_dirs(edition: str) -> tuple[Path, ...]:
    """The export folders an edition is scored from, in order of precedence (earlier wins)."""
    return {"terbitan": (), "contoh": (SYNTHETIC_EXAMPLES_DIR, SYNTHETIC_DIR), "ekspor": (EXPORTS_RAW_DIR,)}[edition]


PINNED_ENV = "KEPATUHAN_GENERATIONS"  # set by `build` for its kernels: edition -> generation folder (JSON)
LOCK_NAME = ".lock"  # reports/.lock: one build; data/processed/.lock: one ingest; <generation>/.lock: its readers
_GENERATION_NAME = re.compile(rf"(?<=/)({'|'.join(EDITIONS)})\.\d{{8}}-\d{{6}}-\d{{6}}(?=/|$)")


@dataclass(frozen=True)
class Processed:
    """One generation of an edition's processed tables: the tables read through one Processed are of one ingest."""

    edition: str
    dir: Path

    def table(self, name: str) -> Path:
        return self.dir / f"{name}.parquet"

    @property
    def reconciliation_csv(self) -> Path:
        return self.dir / "reconciliation.csv"

    @property
    def lock(self) -> Path:
        """Held shared by a build reading this generation: ingest removes no generation held."""
        return self.dir / LOCK_NAME


def processed(edition: str) -> Processed:
    """The generation of an edition's tables to read: the one the running build pinned, else the current one.

    Looked up at each call (an ingest may have switched generations; tests point PROCESSED_DIR
    elsewhere): read all the tables of one task through one Processed.
    """
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}; editions: {', '.join(EDITIONS)}")
    pinned = json.loads(os.environ.get(PINNED_ENV) or "{}").get(edition)
    return Processed(edition, Path(pinned) if pinned else current_generation(edition))


def processed_link(edition: str) -> Path:
    """data/processed/<edition>: a symbolic link to the edition's current generation (a folder beside it)."""
    return PROCESSED_DIR / edition


def current_generation(edition: str) -> Path:
    """The folder data/processed/<edition> links to (itself when it is a plain folder, as tests write it)."""
    link = processed_link(edition)
    return PROCESSED_DIR / os.readlink(link) if link.is_symlink() else link


def new_generation(edition: str) -> Path:
    """A generation folder's name: data/processed/<edition>.<date-time>, written first as <that>.tmp."""
    return PROCESSED_DIR / f"{edition}.{datetime.now():%Y%m%d-%H%M%S-%f}"


def generation_paths(edition: str) -> list[Path]:
    """Every generation of an edition on disk (current, earlier and unfinished) and any leftover link."""
    return sorted(PROCESSED_DIR.glob(f"{edition}.*"))


# Notebooks and built output.
NOTEBOOKS_DIR = ROOT / "notebooks"
REPORT_NOTEBOOKS_DIR = NOTEBOOKS_DIR / "reports"
EXPLORATORY_NOTEBOOKS_DIR = NOTEBOOKS_DIR / "exploratory"
REPORTS_DIR = ROOT / "reports"  # reports/index.html links each edition's reports/<edition>/index.html
BUILD_STATE_NAME = ".build-state.json"  # in each edition's reports folder
# The headless Chromium `kepatuhan build --pdf` prints with (Debian's package by default).
CHROMIUM = Path(os.environ.get("KEPATUHAN_CHROMIUM", "/usr/bin/chromium"))


def display_path(path: Path | str) -> str:
    """A path as a user should read it: relative to the project root when inside it, a processed
    table under its edition's name (data/processed/contoh/scores.parquet, whatever its generation)."""
    p = Path(path)
    try:
        shown = str(p.resolve().relative_to(ROOT))
    except ValueError:
        shown = str(path)
    return _GENERATION_NAME.sub(r"\1", shown)
