"""Ingest + scoring of a ten-year national answers archive (synthetic), against a plain pandas baseline.

The archive: the synthetic national set of 2022-2024 (kepatuhan_lib/synthetic/, fixed seed,
14 service users per unit so that ten years pass 5 million answer rows), written as one plain
CSV per year and relabelled 2015-2024. Only 2022-2024 have dimensions, so the measuring
process declares the 2022-2024 method for all ten years (a benchmark-only methodology
directory under .bench/, labelled so). Files are cached in .bench/score/ and reused.

Each measurement runs in its own process, so its peak memory (ru_maxrss) is its own. A third
measures the floor: pyarrow reading the files as ingest does (dictionary-encoded) and hashing them,
with no check; on 2 cores that alone takes about 0.45 of the baseline's time.
Targets on 2 cores, for ingest + scoring with every check on: at least 2.5x faster than the
baseline measured in the same run, and under 1.5 GB peak memory. The last line printed is the ratio.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from kepatuhan_lib import config

SEED = 2024
YEARS = tuple(range(2015, 2025))
USERS_PER_UNIT = 14  # respondents of each service-user indicator (generator.toml says 6)
TARGET_RATIO = 1 / 2.5  # library time / baseline time
TARGET_BYTES = 1.5 * 1024**3
ARCHIVE_DIR = config.BENCH_DIR / "score"
METHOD_DIR = config.BENCH_DIR / "methodology"


def build_archive() -> list[Path]:
    """Write (or reuse) the ten per-year files and the benchmark-only methodology declaration."""
    from kepatuhan_lib import synthetic

    stamp = ARCHIVE_DIR / "archive.json"
    # Regenerate when the generator or its declarations change.
    sources = [*Path(synthetic.__file__).parent.glob("*.py"), *config.SYNTHETIC_DECLARATIONS_DIR.iterdir()]
    spec = {"seed": SEED, "years": list(YEARS), "users": USERS_PER_UNIT,
            "sources_mtime": max(p.stat().st_mtime for p in sources)}
    files = [ARCHIVE_DIR / f"synthetic_bench_jawaban_indikator_{year}.csv" for year in YEARS]
    _write_method()
    if stamp.is_file() and json.loads(stamp.read_text()) == spec and all(f.is_file() for f in files):
        return files
    start = time.perf_counter()
    groups = dict(synthetic.load_settings().respondents)
    groups["pengguna"] = (USERS_PER_UNIT, groups["pengguna"][1])
    data = synthetic.generate(SEED, years=(2022, 2023, 2024), respondents=groups)
    for year, path in zip(YEARS, files):
        frame = data.answers[2022 + (year - YEARS[0]) % 3].copy()
        frame["Tahun"] = year
        synthetic.write_csv(frame, path)
    from kepatuhan_lib import storage

    storage.write_text(stamp, json.dumps(spec))
    print(f"archive written in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return files


def _write_method() -> None:
    """The 2022-2024 method (bands, caps) declared for 2015-2024: for this benchmark only."""
    from kepatuhan_lib import methodology, storage

    era = methodology.era(2023, "Pemerintah Kabupaten")
    lines = ['id = "bench-opini-pengawasan"',
             'label = "BENCHMARK ONLY: the 2022-2024 method declared for ten synthetic years"',
             f'series = "{era.series}"', f"years = {list(YEARS)}", 'entity_types = "all"', f"scale = {era.scale}",
             f'source = "benchmark only; copied from {era.file}"']
    for band in era.bands:
        lines += ["[[bands]]", f"min = {band.min}", f'category = "{band.category}"', f'opinion = "{band.opinion}"',
                  f'zone = "{band.zone}"', f'as_published = "{band.as_published}"']
    lines += ["[caps]", *(f"{name} = {cap}" for name, cap in era.caps.items())]
    storage.write_text(METHOD_DIR / "bench_opini_pengawasan.toml", "\n".join(lines) + "\n")


def measure(kind: str, files: list[str]) -> dict:
    """Run in a child process: time one way of reading and scoring the archive, and its peak memory."""
    paths = [Path(f) for f in files]
    if kind == "baseline":
        import pandas as pd

        start = time.perf_counter()
        frames = [pd.read_csv(p) for p in paths]
        answers = pd.concat(frames, ignore_index=True)
        means = answers.groupby(["Tahun", "Kode Wilayah", "Unit Layanan", "Kode Indikator"])["Skor"].mean()
        result = {"seconds": time.perf_counter() - start, "rows": len(answers), "groups": len(means)}
    elif kind == "floor":  # what ingest cannot go below: its CSV reading and hashing, without a check
        import hashlib
        import mmap
        from concurrent.futures import ThreadPoolExecutor

        import pyarrow as pa
        import pyarrow.csv as pacsv

        start = time.perf_counter()
        rows = 0
        with ThreadPoolExecutor(max_workers=1) as hasher:
            for path in paths:
                with open(path, "rb") as handle:  # mapped, as ingest reads a file
                    data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                digest = hasher.submit(lambda: hashlib.sha256(data).hexdigest())
                names = [f"c{j}" for j in range(data[:data.find(b"\n")].count(b",") + 1)]
                table = pacsv.read_csv(pa.BufferReader(pa.py_buffer(data)), read_options=pacsv.ReadOptions(
                    column_names=names, skip_rows=1), convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.dictionary(pa.int32(), pa.string())),
                    strings_can_be_null=False, quoted_strings_can_be_null=False))
                rows += len(table)
                [column.combine_chunks() for column in table.columns]
                digest.result()
        result = {"seconds": time.perf_counter() - start, "rows": rows}
    else:
        config.METHODOLOGY_DIR = METHOD_DIR  # before anything reads the declarations
        from kepatuhan_lib.ingest import read_exports
        from kepatuhan_lib.scoring import entity_scores, unit_scores_from_answers

        start = time.perf_counter()
        data = read_exports(paths)
        read_s = time.perf_counter() - start
        units = unit_scores_from_answers(data.answers)
        units_s = time.perf_counter() - start - read_s
        entities = entity_scores(units)
        result = {"seconds": time.perf_counter() - start, "read": read_s, "units_s": units_s,
                  "entities_s": time.perf_counter() - start - read_s - units_s, "rows": len(data.answers),
                  "quarantined": int(data.quarantine()["row"].notna().sum()) if len(data.quarantine()) else 0,
                  "units": len(units), "entities": len(entities)}
    result["peak_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return result


def _child(kind: str, files: list[Path]) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", kind, *map(str, files)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"{kind} measurement failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    # Written in a process of its own: a child's peak memory counts its parent's at the time it was
    # started (Linux carries it across exec), and generating the archive takes a few GB.
    subprocess.run([sys.executable, __file__, "--archive"], check=True)
    files = build_archive()  # as written
    size = sum(f.stat().st_size for f in files)
    baseline = _child("baseline", files)
    library = _child("library", files)
    floor = _child("floor", files)
    rows = library["rows"]
    mb = 1024**2
    print(f"archive: {len(files)} per-year CSV files {YEARS[0]}-{YEARS[-1]} (SYNTHETIC: the 2022-2024 set, "
          f"seed {SEED}, relabelled), {baseline['rows']:,} answer rows, {size / mb:,.0f} MB")
    print(f"baseline (pandas read_csv + groupby mean per unit and indicator): {baseline['seconds']:.2f} s, "
          f"peak memory {baseline['peak_bytes'] / mb:,.0f} MB")
    print(f"library: read_exports {library['read']:.2f} s, unit_scores_from_answers {library['units_s']:.2f} s, "
          f"entity_scores {library['entities_s']:.2f} s; total {library['seconds']:.2f} s, "
          f"{rows / library['seconds']:,.0f} rows/s, peak memory {library['peak_bytes'] / mb:,.0f} MB")
    print(f"  {rows:,} answers used, {library['quarantined']:,} quarantined -> {library['units']:,} units "
          f"-> {library['entities']:,} entity-years")
    print(f"floor (pyarrow's dictionary-encoded CSV read and the sha256 of each file, no check): "
          f"{floor['seconds']:.2f} s, {floor['seconds'] / baseline['seconds']:.2f} of the baseline's time")
    ratio = library["seconds"] / baseline["seconds"]
    print(f"{'PASS' if ratio <= TARGET_RATIO else 'FAIL'}: ingest + scoring {library['seconds']:.2f} s, "
          f"{ratio:.2f} of the baseline's time (target <= {TARGET_RATIO:.2f}, 2.5x faster)")
    print(f"{'PASS' if library['peak_bytes'] < TARGET_BYTES else 'FAIL'}: peak memory "
          f"{library['peak_bytes'] / 1024**3:.2f} GB (target < {TARGET_BYTES / 1024**3:.1f} GB)")
    print(f"ratio vs baseline: {ratio:.2f} (time), {library['peak_bytes'] / baseline['peak_bytes']:.2f} (peak memory)")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--archive"]:
        build_archive()
        sys.exit(0)
    if len(sys.argv) > 2 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3:])))
        sys.exit(0)
    sys.exit(main())
