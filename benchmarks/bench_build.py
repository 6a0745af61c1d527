"""Build speed: `kepatuhan build` against papermill CLI + nbconvert CLI, one report after another.

Builds the province reports of one year (every province with data; the fixture notebook when the
real one or the processed scores are not there yet) cold both ways, then rebuilds with nothing
changed. On real data `kepatuhan build` runs as the CLI (start-up included) in a copy of the
project tree (processed data and notebooks), so that it writes nowhere in the real one, and once more
after one province's rows changed (a new generation), against the cold build of them all. Prints
seconds per report and, as its last line, `speedup: X.XX` (naive / kepatuhan, cold).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import pandas as pd

from kepatuhan_lib import config, storage
from kepatuhan_lib.reports import build as b
from kepatuhan_lib.reports.catalog import REPORTS, Job, Parameter, Report
from kepatuhan_lib.reports.params import check

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "notebooks" / "laporan.ipynb"
BIN = Path(sys.executable).parent


EDITION = "contoh"  # the demo: a league table for every province


def real_jobs(year: int | None) -> tuple[dict, list[Job]] | None:
    """The real province reports of one year (the latest with data unless given), if buildable."""
    if not (REPORTS["provinsi"].notebook.exists() and config.processed(EDITION).table("scores").exists()):
        return None
    jobs = b.select_jobs(EDITION, reports=["provinsi"])
    year = year or max(j.params["year"] for j in jobs)
    return REPORTS, [j for j in jobs if j.params["year"] == year]


def fixture_jobs(work: Path, count: int) -> tuple[dict, list[Job]]:
    """The fixture notebook once per province code, reading a small CSV."""
    data = work / "skor.csv"
    data.write_text("entity,score\n" + "".join(f"Kabupaten {i},{50 + i * 1.5}\n" for i in range(25)))
    report = Report(
        "uji", "Laporan uji", FIXTURE,
        (Parameter("year", int, 2024), Parameter("province", str, "17"), Parameter("data_path", str, ""),
         Parameter("synthetic", bool, False)),
        (data,), lambda job: Path(str(job.params["year"]), f"uji-{job.params['province']}.html"),
        select=lambda scores, edition: [],
    )
    codes = [str(c) for c in (11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36)][:count]
    return {"uji": report}, [
        Job("uji", {"year": 2024, "province": c, "data_path": str(data), "synthetic": False}, c, c) for c in codes
    ]


def keying_seconds(catalog: dict, jobs: list[Job]) -> float:
    """Seconds to compute the key of every job, as a build does before it runs any."""
    started = time.perf_counter()
    digests = b.Digests()
    for job in jobs:
        report = catalog[job.report]
        b.job_key(report, check(report, job.params), "library", digests)
    return time.perf_counter() - started


def naive(catalog: dict, jobs: list[Job], out: Path) -> float:
    """papermill CLI then `jupyter nbconvert --to html` CLI, per report, one after another."""
    started = time.perf_counter()
    for i, job in enumerate(jobs):
        notebook = catalog[job.report].notebook
        executed = out / f"{i}.ipynb"
        params = [a for k, v in job.params.items() for a in ("-p" if not isinstance(v, str) else "-r", k, str(v))]
        subprocess.run([BIN / "papermill", "--no-progress-bar", "-k", b.KERNEL_NAME, "--cwd", notebook.parent,
                        notebook, executed, *params], check=True, capture_output=True)
        subprocess.run([BIN / "jupyter", "nbconvert", "--to", "html", executed], check=True, capture_output=True)
    return time.perf_counter() - started


def tree_copy(work: Path) -> Path:
    """A project tree for the CLI: the processed data and the report notebooks, copied."""
    root = work / "root"
    shutil.copytree(config.PROCESSED_DIR, root / config.PROCESSED_DIR.relative_to(config.ROOT), symlinks=True)
    shutil.copytree(config.REPORT_NOTEBOOKS_DIR, root / config.REPORT_NOTEBOOKS_DIR.relative_to(config.ROOT))
    return root


def new_province_data(root: Path, year: int, province: str) -> None:
    """A new generation of the edition in ``root`` in which one province's rows of ``year`` changed (its entities'
    scores and unit figures moved by half a point, as new exports for it would move them)."""
    with mock.patch.object(config, "PROCESSED_DIR", root / config.PROCESSED_DIR.relative_to(config.ROOT)):
        where = config.processed(EDITION)
        tables = {path.stem: pd.read_parquet(path) for path in where.dir.glob("*.parquet")}
        for name, column in (("scores", "score"), ("unit_figures", "nilai"), ("units", "nilai")):
            table = tables[name]
            rows = (table["year"] == year).to_numpy(dtype=bool) & \
                (table["province_code"] == province).fillna(False).to_numpy(dtype=bool)
            table.loc[rows, column] = table.loc[rows, column] + 0.5
        storage.write_generation(EDITION, tables, pd.read_csv(where.reconciliation_csv))


def cli_build(root: Path, jobs: list[Job]) -> tuple[float, str]:
    """`kepatuhan build` of these province reports in ``root``: (seconds, its summary line)."""
    selection = ["--edition", EDITION, "--year", str(jobs[0].params["year"]), "--report", "provinsi"]
    selection += [a for j in jobs for a in ("--province", j.params["province"])]
    started = time.perf_counter()
    done = subprocess.run([BIN / "kepatuhan", "build", *selection],
                          env=os.environ | {"KEPATUHAN_ROOT": str(root)}, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"kepatuhan build failed ({done.returncode}):\n{done.stderr}")
    return seconds, next(ln for ln in done.stderr.splitlines() if ln.startswith(f"kepatuhan build [{EDITION}]:") and "built" in ln)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, help="default: the latest year with scores")
    parser.add_argument("--limit", type=int, help="only the first N province reports")
    parser.add_argument("--fixture", action="store_true", help="use the fixture notebook even if the real one exists")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        work = Path(tmp)
        found = None if args.fixture else real_jobs(args.year)
        catalog, jobs = found or fixture_jobs(work, args.limit or 16)
        jobs = jobs[: args.limit]
        if found:
            every = b.select_jobs(EDITION)
            whole = keying_seconds({n: dataclasses.replace(r, reads=None) for n, r in REPORTS.items()}, every)
            by_rows = keying_seconds(REPORTS, every)
            print(f"keys of all {len(every)} {EDITION} reports: {by_rows:.2f} s by the rows each reads, "
                  f"{whole:.2f} s by whole tables ({by_rows / whole:.1f}x)", flush=True)
        print(f"{len(jobs)} {'real' if found else 'fixture'} province reports, 2 ways, cold", flush=True)
        (work / "naive").mkdir()
        naive_s = naive(catalog, jobs, work / "naive")
        print(f"naive (papermill CLI + nbconvert CLI): {naive_s:7.1f} s, {naive_s / len(jobs):5.2f} s per report", flush=True)
        if found:
            root = tree_copy(work)
            cold_s, summary = cli_build(root, jobs)
            assert f"{len(jobs)} built, 0 unchanged, 0 failed" in summary, summary
            print(f"kepatuhan build CLI, cold: {cold_s:7.1f} s, {cold_s / len(jobs):5.2f} s per report", flush=True)
            again_s, summary = cli_build(root, jobs)
            assert f"0 built, {len(jobs)} unchanged" in summary, summary
            print(f"kepatuhan build CLI, nothing changed ({len(jobs)} unchanged): {again_s:.2f} s")
            province = jobs[0].params["province"]
            new_province_data(root, jobs[0].params["year"], province)
            changed_s, summary = cli_build(root, jobs)
            assert f"1 built, {len(jobs) - 1} unchanged" in summary, summary
            print(f"kepatuhan build CLI, province {province}'s rows changed (1 built, {len(jobs) - 1} unchanged): "
                  f"{changed_s:.2f} s, {cold_s / changed_s:.1f}x faster than the cold build", flush=True)
            reports, built = root / "reports" / EDITION, [REPORTS["provinsi"].output(j).as_posix() for j in jobs]
        else:
            reports = work / "reports"
            cold = b.build(jobs, catalog=catalog, reports_dir=reports, progress=False)
            assert not cold.failed, cold.failed
            cold_s, built = cold.seconds, cold.built
            print(f"kepatuhan build, cold ({len(built)} built): {cold_s:7.1f} s, "
                  f"{cold_s / len(jobs):5.2f} s per report", flush=True)
            started = time.perf_counter()
            warm = b.build(jobs, catalog=catalog, reports_dir=reports, progress=False)
            assert not warm.built, warm.built
            print(f"kepatuhan build, nothing changed ({len(warm.skipped)} unchanged, in-process): "
                  f"{time.perf_counter() - started:.2f} s")
        sizes = sorted((reports / p).stat().st_size for p in built)
        print(f"HTML size per report: median {sizes[len(sizes) // 2] / 1e3:.0f} kB, largest {sizes[-1] / 1e3:.0f} kB")
        print(f"speedup: {naive_s / cold_s:.2f}")


if __name__ == "__main__":
    main()
