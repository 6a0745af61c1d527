"""Atomic writes, and data/raw/ stays immutable."""

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kepatuhan_lib import config, storage
from kepatuhan_lib.cli import main
from kepatuhan_lib.reports import data
from kepatuhan_lib.reports.catalog import REPORTS


def test_write_is_atomic_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "out" / "t.parquet"
    storage.write_parquet(pd.DataFrame({"a": [1, 2]}), target)
    assert pd.read_parquet(target)["a"].tolist() == [1, 2]
    assert [p.name for p in target.parent.iterdir()] == ["t.parquet"]


def test_written_file_has_the_mode_of_any_new_file(tmp_path):
    """Reports are published from a web server: not owner-only like a bare temp file."""
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    target = storage.write_text(tmp_path / "report.html", "<p>x</p>")
    assert stat.S_IMODE(target.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


def test_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "t.txt"
    storage.write_text(target, "old")
    with pytest.raises(RuntimeError):
        with storage.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.txt"]


def test_refuses_to_write_under_data_raw():
    with pytest.raises(PermissionError, match="data/raw"):
        storage.write_text(config.RAW_DIR / "x.txt", "no")
    assert not (config.RAW_DIR / "x.txt").exists()


# --- generations ---------------------------------------------------------------------------------

def _point_config_at(root: Path, mp: pytest.MonkeyPatch) -> None:
    """Every data path of config (published results included) under ``root``, shown relative to it."""
    data = config.DATA_DIR
    mp.setattr(config, "ROOT", root)
    for name in dir(config):
        value = getattr(config, name)
        if isinstance(value, Path) and (value == data or data in value.parents):
            mp.setattr(config, name, root / value.relative_to(data.parent))
    mp.setattr(config, "PUBLISHED_RELEASES", tuple(root / p.relative_to(data.parent) for p in config.PUBLISHED_RELEASES))


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: storage.sha256_file(p) for p in sorted(folder.glob("*.parquet"))}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A tree with the published results only (edition terbitan), ingested once (generation 'old'); then
    release 1 loses its last fact, so that the next ingest writes other tables ('new')."""
    root = tmp_path_factory.mktemp("generations")
    shutil.copytree(config.PUBLISHED_RAW_DIR, root / "data" / "raw" / "published")
    with pytest.MonkeyPatch.context() as mp:
        _point_config_at(root, mp)
        assert main(["ingest"]) == 0
        old = _digests(config.current_generation("terbitan"))
    release = root / config.PUBLISHED_RAW_CSV.relative_to(config.ROOT)
    release.write_text("".join(release.read_text(encoding="utf-8").splitlines(keepends=True)[:-1]), encoding="utf-8")
    return root, old


@pytest.fixture
def tree(pristine, tmp_path, monkeypatch):
    root, old = pristine
    shutil.copytree(root, tmp_path / "tree", symlinks=True)
    _point_config_at(tmp_path / "tree", monkeypatch)
    return tmp_path / "tree", old


def _ingest_killed_at(root: Path, step: str) -> subprocess.CompletedProcess:
    env = os.environ | {"KEPATUHAN_ROOT": str(root), "KEPATUHAN_KILL_AT": step}
    return subprocess.run([sys.executable, "-m", "kepatuhan_lib.cli", "ingest"], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("step", ["published", "renamed", "switched"])
def test_ingest_killed_at_any_step_leaves_one_whole_generation_and_the_next_cleans_up(tree, step, capsys):
    """kill -9 after the first table, after the generation is complete but not current, after the switch:
    data.load and a build's inputs see one generation, whole, the old or the new; the next ingest removes
    what the killed one left."""
    root, old = tree
    killed = _ingest_killed_at(root, step)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = {p.name for p in config.PROCESSED_DIR.iterdir()} - {"terbitan", config.LOCK_NAME}
    assert len(left) == 2  # the current generation and what the killed run left
    assert any(name.endswith(".tmp") for name in left) == (step == "published")

    loaded = data.load("terbitan")
    folder = loaded.paths[0].parent
    assert {p.parent for p in loaded.paths} == {folder}
    declared = set(REPORTS["provinsi"].input_paths({"edition": "terbitan"}))
    assert declared == set(loaded.paths) | set(data.published_sources())  # the processed tables and the raw published files
    seen = _digests(folder)
    assert (seen == old) == (step != "switched")

    capsys.readouterr()
    assert main(["ingest"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("kepatuhan ingest: taking over the lock of an earlier ingest that did not finish (pid ")
    assert ("removed what an interrupted ingest left: " in err) == (step == "published")
    current = config.current_generation("terbitan")
    assert {p.name for p in config.PROCESSED_DIR.iterdir()} == {"terbitan", current.name, config.LOCK_NAME}
    assert _digests(current) != old
    if step == "switched":
        assert _digests(current) == seen  # what the killed run switched to was whole


def test_a_build_keeps_the_generation_it_pinned_while_ingest_switches(tree):
    """Pins that a build's reports and its change detection read one generation: the one it holds, kept on
    disk by the ingest that replaced it, removed by the next ingest once the build is over."""
    root, old = tree
    with storage.pinned(["terbitan"]) as held:
        pinned = held["terbitan"].dir
        assert main(["ingest"]) == 0
        assert config.current_generation("terbitan") != pinned and pinned.is_dir()
        assert {p.parent for p in data.load("terbitan").paths} == {pinned}
        assert {p.parent for p in REPORTS["nasional"].input_paths({"edition": "terbitan"}) if p.suffix == ".parquet"} \
            == {pinned}
        assert json.loads(os.environ[config.PINNED_ENV]) == {"terbitan": str(pinned)}
    assert config.PINNED_ENV not in os.environ
    assert {p.parent for p in data.load("terbitan").paths} == {config.current_generation("terbitan")}
    assert main(["ingest"]) == 0
    assert not pinned.exists()


def test_a_processed_table_is_shown_under_its_edition_whatever_its_generation():
    generation = config.ROOT / "data" / "processed" / "contoh.20261201-102757-144997" / "scores.parquet"
    assert config.display_path(generation) == "data/processed/contoh/scores.parquet"
    assert config.display_path(generation.with_name("x.20261201-102757-144997")) == \
        "data/processed/contoh/x.20261201-102757-144997"
