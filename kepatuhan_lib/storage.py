"""Atomic writes: every file the project produces appears whole or not at all, and every set of
processed tables (a generation) appears whole or not at all."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from . import config
from .errors import UsageError
from .locks import try_lock

# What a read-only folder, a full disk or a used-up quota raise (the last two also without a file name).
WRITE_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT})
FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


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


@contextlib.contextmanager
def writing_in(folder: Path) -> Iterator[None]:
    """A failure to write in ``folder`` (read-only, or the disk full) is a UsageError naming the folder."""
    try:
        yield
    except OSError as err:
        path = Path(err.filename).resolve() if err.filename else None
        if err.errno not in (WRITE_ERRNOS if path else FULL_ERRNOS) or (path and folder.resolve() not in path.parents):
            raise
        where = path.parent if path else folder
        raise UsageError(f"cannot write in {config.display_path(where)}/: {err.strerror}") from None


# --- generations: all the processed tables of an edition, from one ingest ------------------------

def write_generation(edition: str, tables: Mapping[str, pd.DataFrame], reconciliation: pd.DataFrame) -> Path:
    """Write an edition's tables as a new generation and make it the current one; return its folder.

    The tables go to <generation>.tmp/, which is renamed whole to <generation>/; then the link
    data/processed/<edition> is replaced by one to it (os.replace). A reader finds the old or the
    new generation, never a mix, at whatever moment the process is killed; what a killed run
    leaves is removed by the next (clean_generations). Call under the ingest lock.
    """
    final = config.new_generation(edition)
    tmp = final.with_name(final.name + ".tmp")
    tmp.mkdir(parents=True)
    try:
        where = config.Processed(edition, tmp)
        for name, frame in tables.items():
            write_parquet(frame, where.table(name))
            _fault_point(name)
        write_csv(reconciliation, where.reconciliation_csv)
        where.lock.touch()
        _fault_point("written")
        os.rename(tmp, final)
        _fault_point("renamed")
        link = config.processed_link(edition)
        if link.is_dir() and not link.is_symlink():  # a plain folder, written before generations
            os.rename(link, config.new_generation(edition))
        os.symlink(final.name, final.with_name(final.name + ".link"))
        os.replace(final.with_name(final.name + ".link"), link)
        _fault_point("switched")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    clean_generations(edition)
    return final


def clean_generations(edition: str) -> list[Path]:
    """Remove an edition's generations but the current one, and what a killed ingest left; return them.

    A generation a build holds (reading) stays, for a later ingest to remove. Call under the
    ingest lock: then no unfinished generation is still being written.
    """
    current = config.current_generation(edition) if config.processed_link(edition).is_symlink() else None
    removed = []
    for path in config.generation_paths(edition):
        if path == current:
            continue
        if path.is_symlink() or not path.is_dir():
            path.unlink()
        else:
            try:
                fd = os.open(path / config.LOCK_NAME, os.O_RDONLY)
            except FileNotFoundError:  # unfinished, or a plain folder of old: nobody reads it
                shutil.rmtree(path)
            else:
                try:
                    if not try_lock(fd, fcntl.LOCK_EX):
                        continue  # a build reads it
                    shutil.rmtree(path)
                finally:
                    os.close(fd)
        removed.append(path)
    return removed


def remove_edition(edition: str) -> None:
    """An edition without inputs any more: its link and every generation no build holds go."""
    link = config.processed_link(edition)
    if link.is_symlink():
        link.unlink()
    elif link.is_dir():
        shutil.rmtree(link)
    clean_generations(edition)


@contextlib.contextmanager
def reading(edition: str) -> Iterator[config.Processed]:
    """The edition's generation to read (config.processed), held shared: no ingest removes it meanwhile."""
    while True:
        where = config.processed(edition)
        try:
            fd = os.open(where.lock, os.O_RDONLY)
        except FileNotFoundError:  # a plain folder, no data yet, or removed since it was looked up
            if config.processed(edition) != where:
                continue
            yield where
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)  # waits while an ingest removes it
            if where.lock.exists():
                yield where
                return
        finally:
            os.close(fd)


@contextlib.contextmanager
def pinned(editions) -> Iterator[dict[str, config.Processed]]:
    """Hold each edition's generation for a whole build, and pin it (config.PINNED_ENV): this process
    and the kernels it starts read that one, whatever an ingest switches meanwhile."""
    before = os.environ.get(config.PINNED_ENV)
    with contextlib.ExitStack() as stack:
        held = {edition: stack.enter_context(reading(edition)) for edition in editions}
        os.environ[config.PINNED_ENV] = json.dumps({e: str(w.dir) for e, w in held.items()})
        try:
            yield held
        finally:
            if before is None:
                os.environ.pop(config.PINNED_ENV, None)
            else:
                os.environ[config.PINNED_ENV] = before


def _fault_point(step: str) -> None:
    """Fault tests kill ingest here (KEPATUHAN_KILL_AT=<table name>|written|renamed|switched)."""
    if os.environ.get("KEPATUHAN_KILL_AT") == step:
        os.kill(os.getpid(), signal.SIGKILL)


def _refuse_raw(target: Path) -> None:
    """data/raw/ is immutable input: no code path may write there."""
    raw = config.RAW_DIR.resolve()
    resolved = target.resolve()
    if resolved == raw or raw in resolved.parents:
        raise PermissionError(f"refusing to write under data/raw/: {config.display_path(target)}")
