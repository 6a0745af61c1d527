"""Shared by every test module: the language each test starts in, and the trees several modules read,
each made once per test run by the real pipeline (tests/fixtures/report_data.py, tests/fixtures/shared.py).
A test reads a shared tree and never writes in it; it gets its own copies of the frames and results."""

import copy
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from fixtures import report_data, shared
from kepatuhan_lib import i18n
from kepatuhan_lib.reports.build import BuildResult


@pytest.fixture(autouse=True)
def indonesian():
    """Each test starts in Indonesian, whatever language an earlier one set (check_parameters sets it)."""
    i18n.activate(i18n.DEFAULT)
    yield
    i18n.activate(i18n.DEFAULT)


@dataclass(frozen=True)
class ProcessedTree:
    root: Path  # holds data/processed/<edition>/*.parquet: for KEPATUHAN_ROOT
    _frames: dict[str, dict[str, pd.DataFrame]]

    @property
    def processed_dir(self) -> Path:
        return self.root / "data" / "processed"

    def tables(self, edition: str) -> dict[str, pd.DataFrame]:
        """The edition's tables as written (table name -> frame), a copy of one's own."""
        return copy.deepcopy(self._frames[edition])


@pytest.fixture(scope="session")
def processed_tree(tmp_path_factory):
    """The terbitan and contoh editions' processed tables (report_data.build_tree)."""
    def make(root):
        return {edition: report_data.build_tree(root, edition) for edition in report_data.BENGKULU_EDITIONS}

    with shared.made_once(tmp_path_factory, "processed", make) as (root, frames):
        yield ProcessedTree(root, frames)


@dataclass(frozen=True)
class BengkuluReports:
    reports: Path  # reports/<edition>/ and the editions page reports/index.html
    _builds: tuple[dict[str, BuildResult], BuildResult]

    def builds(self) -> tuple[dict[str, BuildResult], BuildResult]:
        """(edition -> its build, the contoh edition's second build), a copy of one's own."""
        return copy.deepcopy(self._builds)


@pytest.fixture(scope="session")
def bengkulu_reports(tmp_path_factory, processed_tree):
    """The Bengkulu 2023 reports of both editions in both languages (report_data.build_bengkulu_reports)."""
    def make(out):
        return report_data.build_bengkulu_reports(processed_tree.root, out)

    with shared.made_once(tmp_path_factory, "bengkulu", make) as (root, builds):
        yield BengkuluReports(root / "reports", builds)


@pytest.fixture(scope="session")
def ingested_project(tmp_path_factory):
    """A project tree ingested with the fixture export (report_data.ingest_project): copy it to use it."""
    with shared.made_once(tmp_path_factory, "project", report_data.ingest_project) as (root, _):
        yield root
