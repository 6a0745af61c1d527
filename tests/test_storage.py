"""Atomic writes, and data/raw/ stays immutable."""

import stat

import pandas as pd
import pytest

from kepatuhan_lib import config, storage


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
