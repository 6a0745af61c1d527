"""Atomic writes: every file the project produces appears whole or not at all."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from . import config


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates files only their owner can read; a written file gets the mode any new file gets.
FILE_MODE = 0o666 & ~_umask()


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success."""
    target = Path(target)
    _refuse_raw(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        tmp_path.chmod(FILE_MODE)
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text(target: Path | str, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_bytes(target: Path | str, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_parquet(df: pd.DataFrame, target: Path | str) -> Path:
    with atomic_path(target) as tmp:
        df.to_parquet(tmp, index=False)
    return Path(target)


def write_csv(df: pd.DataFrame, target: Path | str) -> Path:
    with atomic_path(target) as tmp:
        df.to_csv(tmp, index=False, lineterminator="\n")
    return Path(target)


def sha256_file(path: Path | str) -> str:
    """sha256 of a file's content, read in blocks (inputs can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _refuse_raw(target: Path) -> None:
    """data/raw/ is immutable input: no code path may write there."""
    raw = config.RAW_DIR.resolve()
    resolved = target.resolve()
    if resolved == raw or raw in resolved.parents:
        raise PermissionError(f"refusing to write under data/raw/: {config.display_path(target)}")
