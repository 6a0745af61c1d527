"""The commands cli.py runs (but `build`, reports/build.py): each calls the library stages, prints what
they found and returns the exit code; the CLI parses the arguments and turns an error into its message."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd

from . import config, locks, schemas, scoring, storage
from .errors import UsageError
from .ingest import read_exports
from .pipeline import build_processed, editions_to_build
from .published import load_published
from .synthetic import SYNTHETIC_FLAG, generate, national_files, write_national

# The columns of `kepatuhan score --out`, in order.
OUT_COLUMNS = ["year", "entity_type", "province_code", "entity_code", "entity", "n_units", "unit_types",
               "score", "category", "opinion", "zone", "tm", "koreksi", "synthetic"]


def validate_command(files: list[Path]) -> int:
    """`kepatuhan validate FILE...`: print every problem and notice of every file and a summary; write nothing.

    Exit code 1 when a problem is found (notices alone leave it 0).
    """
    for f in files:
        if Path(f).is_dir():
            raise UsageError(f"{f} is a directory; give export files (.csv or .xlsx)")
        if not Path(f).exists():
            raise UsageError(f"no such file: {f}")
    data = read_exports([Path(f) for f in files])
    for problem in data.problems + data.notices:
        print(problem)
    used = len(data.units) + len(data.answers)
    files_with_problems = len({p.file for p in data.problems})
    print(f"{_count(len(files), 'file')}, {_count(data.rows_read, 'row')}: {used:,} ok, "
          f"{data.rows_quarantined:,} rejected; {_count(len(data.problems), 'problem')} in "
          f"{_count(files_with_problems, 'file')}"
          + (f"; {_count(data.rows_skipped, 'blank or footer row')} skipped" if data.rows_skipped else "")
          + (f"; {_count(len(data.notices), 'notice')}" if data.notices else ""))
    return 1 if data.problems else 0


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def score_command(files: list[Path], out: Path) -> int:
    """Score export files into OUT.csv (one row per entity); rejects into OUT.rejects.csv.

    An entity with a rejected row is not scored (the rule of `scoring.score_exports`, which ingest follows
    too). OUT.csv and OUT.rejects.csv may be neither an input file nor under data/raw/.
    Exit code 0 when nothing was rejected, 1 otherwise (the other results are still written).
    """
    out = Path(out)
    if out.suffix.lower() != ".csv":
        raise UsageError(f"--out must name a .csv file, got {str(out)!r}")
    missing = [str(f) for f in files if not Path(f).is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    rejects_path = out.with_name(out.name[: -len(out.suffix)] + ".rejects.csv")
    _check_out(out, rejects_path, files)

    data = read_exports([Path(f) for f in files])
    quarantine = data.quarantine()
    scored = scoring.score_exports(data.units, data.answers, quarantine)

    storage.write_csv(_out_table(scored.scores), out)
    rejects = _rejects_table(quarantine, scored.held_back)
    if len(rejects):
        storage.write_csv(rejects, rejects_path)
    else:
        rejects_path.unlink(missing_ok=True)  # a stale rejects file would describe another run

    for notice in data.notices:
        print(notice, file=sys.stderr)
    n_rows = int(quarantine.drop_duplicates(["file", "sheet", "row"]).shape[0]) if len(quarantine) else 0
    n_units = int(scored.scores["n_units"].sum()) if len(scored.scores) else 0
    print(f"scored {len(scored.scores):,} entities ({n_units:,} units) from {len(files)} file(s) "
          f"-> {config.display_path(out)}", file=sys.stderr)
    if len(rejects):
        print(f"rejected: {n_rows:,} row(s); entities not scored: {len(scored.held_back):,} "
              f"-> {config.display_path(rejects_path)}", file=sys.stderr)
    return 1 if len(rejects) else 0


def _check_out(out: Path, rejects: Path, files: list[Path]) -> None:
    """--out (and its rejects file) must not overwrite an input, nor write under data/raw/, nor a folder it cannot."""
    inputs = {Path(f).resolve() for f in files}
    raw = config.RAW_DIR.resolve()
    for target in (out, rejects):
        resolved = target.resolve()
        if resolved in inputs:
            raise UsageError(f"--out {out} would overwrite the input file {target}; name another file")
        if resolved == raw or raw in resolved.parents:
            raise UsageError(f"--out {out}: data/raw/ holds inputs only; write the results elsewhere")
        if resolved.is_dir():
            raise UsageError(f"--out {out}: {target} is a folder")
    folder = next(p for p in (out.resolve().parent, *out.resolve().parents) if p.exists())
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"--out {out}: cannot write in {folder}")


def _out_table(scores: pd.DataFrame) -> pd.DataFrame:
    """The CSV form: score and koreksi as text with a dot and exactly two decimals."""
    table = scores.reindex(columns=OUT_COLUMNS).copy()
    for col in ("score", "koreksi"):
        table[col] = pd.array([pd.NA if pd.isna(v) else f"{v:.2f}" for v in table[col]], dtype="string")
    return table


def _rejects_table(quarantine: pd.DataFrame, held_back: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows as ingest reported them, then one line per entity left unscored and why."""
    problems = quarantine.reindex(columns=schemas.PROBLEM_COLUMNS)
    not_scored = pd.DataFrame({
        "file": held_back["files"], "sheet": pd.NA, "row": pd.NA, "column": pd.NA,
        "value": held_back["year"].astype(str) + " " + held_back["entity"].astype(str)
        + " (" + held_back["entity_code"].astype(str) + ")", "reason": held_back["reason"],
    })
    return pd.concat([f for f in (problems, not_scored) if len(f)], ignore_index=True) \
        if len(problems) or len(not_scored) else problems


def ingest_command() -> int:
    """Write every edition's processed tables as a new generation and print the row accounting.

    One ingest at a time (data/processed/.lock; another is a LockedError naming it). Exit code 1
    when an export or a published fact had a problem (the tables are still written from
    everything else), 0 otherwise.
    """
    with storage.writing_in(config.PROCESSED_DIR), locks.exclusive(config.PROCESSED_DIR / config.LOCK_NAME, "ingest"):
        for edition in config.EDITIONS:
            for path in storage.clean_generations(edition):
                if path.name.endswith(".tmp"):
                    print(f"[{edition}] removed what an interrupted ingest left: {config.display_path(path)}/",
                          file=sys.stderr)
        return _ingest()


def _ingest() -> int:
    published = load_published()
    problems = 0
    editions = editions_to_build()
    for stale in set(config.EDITIONS) - set(editions):  # e.g. ekspor after data/raw/exports/ was emptied
        if config.processed_link(stale).is_symlink() or config.processed_link(stale).exists():
            storage.remove_edition(stale)
            print(f"[{stale}] no input any more: {config.display_path(config.processed_link(stale))}/ removed",
                  file=sys.stderr)
    for edition in editions:
        sources = ", ".join(config.display_path(d) + "/" for d in config.edition_export_dirs(edition))
        print(f"[{edition}] reading the published results{' and ' + sources if sources else ''} ...", file=sys.stderr)
        tables, differences, summary = build_processed(edition, published)
        storage.write_generation(edition, tables, differences)
        for line in summary.lines():
            print(f"[{edition}] {line}", file=sys.stderr)
        print(f"[{edition}] processed tables written to {config.display_path(config.processed_link(edition))}/",
              file=sys.stderr)
        problems += summary.problems + summary.published_quarantined
    return 1 if problems else 0


def demo_data_command(if_missing: bool, seed: int) -> int:
    """`kepatuhan demo-data`: write the synthetic national example set to data/synthetic/."""
    directory = config.SYNTHETIC_DIR
    names = national_files()
    if if_missing and all((directory / n).is_file() for n in names):
        print(f"synthetic example exports already in {config.display_path(directory)}/ ({len(names)} files); "
              "nothing to do", file=sys.stderr)
        return 0
    print(f"generating the synthetic national example set (seed {seed}) ...", file=sys.stderr)
    data = generate(seed)
    write_national(data, directory, progress=lambda line: print(line, file=sys.stderr))
    print(f"every file is named synthetic and marked Data Sintetis = {SYNTHETIC_FLAG}", file=sys.stderr)
    return 0
