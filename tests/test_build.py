"""The parallel incremental build (build.py) and the index page (index.py), on fixture notebooks."""

import contextlib
import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from fixtures.project import data_under
from kepatuhan_lib import config
from kepatuhan_lib.errors import ParameterError, UsageError
from kepatuhan_lib.reports import build as b
from kepatuhan_lib.reports.catalog import REPORTS, Job, Parameter, Report
from kepatuhan_lib.reports.params import check

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
EVIL = "<script>alert(1)</script>"


def fixture_catalog(root: Path) -> dict[str, Report]:
    """Two reports on the fixture notebooks (copied into ``root``), reading ``root/skor.csv``."""
    for name in ("laporan.ipynb", "gagal.ipynb"):
        if not (root / name).exists():
            shutil.copy(FIXTURES / name, root / name)
    year, province = Parameter("year", int, 2024), Parameter("province", str, "17")
    return {
        "uji": Report(
            "uji", "Laporan uji", root / "laporan.ipynb",
            (year, province, Parameter("data_path", str, "data.csv"), Parameter("synthetic", bool, False)),
            (root / "skor.csv",), lambda job: Path(str(job.params["year"]), f"uji-{job.params['province']}.html"),
            select=lambda scores, edition: [],
        ),
        "gagal": Report(
            "gagal", "Laporan gagal", root / "gagal.ipynb", (year, province), (),
            lambda job: Path(str(job.params["year"]), "gagal.html"), select=lambda scores, edition: [],
        ),
    }


def uji(root: Path, province: str, synthetic=False) -> Job:
    params = {"year": 2024, "province": province, "data_path": str(root / "skor.csv"), "synthetic": synthetic}
    return Job("uji", params, f"Provinsi {province}", province)


def run(root, jobs, **kw):
    return b.build(jobs, catalog=fixture_catalog(root), reports_dir=root / "reports", n_jobs=2, progress=False, **kw)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("build")
    (root / "skor.csv").write_text(f"entity,score\nKabupaten Mukomuko,90.02\n{EVIL},60.35\n=1+1,-5\n")
    jobs = [uji(root, "17"), uji(root, "11", synthetic=True), Job("gagal", {"year": 2024, "province": "17"}, "Gagal", "17")]
    return root, jobs, run(root, jobs)


@pytest.mark.slow
def test_a_failing_report_fails_alone(built):
    root, _, result = built
    reports = root / "reports"
    assert sorted(result.built) == ["2024/gagal.html", "2024/uji-11.html", "2024/uji-17.html"]
    assert list(result.failed) == ["2024/gagal.html"]
    failure = result.failed["2024/gagal.html"]
    assert failure.section == "Bagian yang gagal"
    assert failure.error == "ValueError: kolom skor tidak ditemukan"
    assert not (reports / "2024" / "gagal.html").exists()
    assert (reports / "2024" / "uji-17.html").exists() and (reports / "2024" / "uji-11.html").exists()
    assert b.exit_code(result) == 1


@pytest.mark.slow
def test_index_lists_every_report_with_status_and_headline(built):
    """Also pins that the page's own CSS is not HTML-escaped (it was: fonts fell back to serif)."""
    root, _, _ = built
    html = (root / "reports" / "index.html").read_text()
    assert 'font-family: system-ui, -apple-system, "Segoe UI"' in html
    soup = BeautifulSoup(html, "html.parser")
    rows = {r.find_all("td")[1].get_text(" ", strip=True): r.get_text(" ", strip=True) for r in soup.select("tbody tr")}
    assert set(rows) == {"Provinsi 17", "Provinsi 11 (data sintetis)", "Gagal"}
    assert "entitas 3 · rata-rata 48,46" in rows["Provinsi 17"] and "selesai" in rows["Provinsi 17"]
    assert "gagal di bagian «Bagian yang gagal»: ValueError: kolom skor tidak ditemukan" in rows["Gagal"]
    assert "Traceback" not in html
    assert [a["href"] for a in soup.select("tbody a")] == ["2024/uji-11.html", "2024/uji-17.html"]
    # Grouped by province (names from the reference regions); the failure is listed first, linked to its group.
    assert [h.get_text() for h in soup.find_all("h3")] == ["Aceh 2024", "Bengkulu 2024"]
    failure = soup.select_one("#gagal + ul li")
    assert failure.a["href"] == "#tahun-2024-17" and soup.find(id="tahun-2024-17") is not None
    assert "ValueError: kolom skor tidak ditemukan" in failure.get_text()


@pytest.mark.slow
def test_built_page_escapes_data_and_has_its_tables_beside_it(built):
    root, _, _ = built
    page = root / "reports" / "2024" / "uji-17.html"
    html = page.read_text()
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "peringatan yang tidak boleh tampil" not in html  # warnings (stderr) stay out
    assert BeautifulSoup(html, "html.parser").select_one(".banner-sintetis") is None
    synthetic = (root / "reports" / "2024" / "uji-11.html").read_text()
    assert BeautifulSoup(synthetic, "html.parser").select_one(".banner-sintetis") is not None
    csv = pd.read_csv(page.with_suffix(".peringkat.csv"))
    assert csv["entity"].tolist() == ["Kabupaten Mukomuko", EVIL, "'=1+1"]
    assert page.with_suffix(".xlsx").exists()
    state = json.loads((root / "reports" / config.BUILD_STATE_NAME).read_text())["reports"]
    assert state["2024/uji-17.html"]["outputs"] == ["2024/uji-17.html", "2024/uji-17.peringkat.csv", "2024/uji-17.xlsx"]


@pytest.mark.slow
def test_nothing_changed_nothing_rebuilt_then_a_parameter_change_rebuilds_that_report(built):
    root, jobs, _ = built
    ok_jobs = jobs[:2]
    again = run(root, ok_jobs)
    assert again.built == [] and sorted(again.skipped) == ["2024/uji-11.html", "2024/uji-17.html"]
    before = (root / "reports" / "2024" / "uji-17.html").stat().st_mtime_ns
    changed = run(root, [uji(root, "17"), uji(root, "11", synthetic=False)])
    assert changed.built == ["2024/uji-11.html"] and changed.skipped == ["2024/uji-17.html"]
    assert (root / "reports" / "2024" / "uji-17.html").stat().st_mtime_ns == before
    assert BeautifulSoup((root / "reports" / "2024" / "uji-11.html").read_text(), "html.parser").select_one(
        ".banner-sintetis") is None
    forced = run(root, ok_jobs[:1], force=True)
    assert forced.built == ["2024/uji-17.html"]


def test_index_script_is_the_only_one_and_its_policy_allows_it_by_hash(built):
    """The filter script runs only because the page's Content-Security-Policy names its hash; the rows
    carry the names it compares, lower case without accents; the search form is hidden until it runs."""
    import base64
    import hashlib

    from kepatuhan_lib.reports.index import searchable

    root, _, _ = built
    soup = BeautifulSoup((root / "reports" / "index.html").read_text(), "html.parser")
    scripts = soup.find_all("script")
    assert len(scripts) == 1 and not scripts[0].get("src")
    digest = base64.b64encode(hashlib.sha256(scripts[0].string.encode()).digest()).decode()
    policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert policy.split("; ") == ["default-src 'none'", "style-src 'unsafe-inline'", "img-src data:",
                                  "base-uri 'none'", "form-action 'none'", f"script-src 'sha256-{digest}'"]
    assert "unsafe-inline" not in policy.split("script-src")[1]
    assert soup.select_one("form#saring").has_attr("hidden")
    row = soup.find("tr", attrs={"data-nama": "provinsi 17"})
    assert (row["data-tahun"], row["data-jenis"], row["data-wilayah"]) == ("2024", "uji", "bengkulu")
    assert searchable("  Kabupaten\u00a0MUKOMUKO ") == "kabupaten mukomuko"
    assert searchable("Kabupaten Pohuwàto") == searchable("kabupaten pohuwato")


def test_editions_page_has_the_policy_and_no_script(tmp_path):
    from kepatuhan_lib.reports.index import write_editions_index

    soup = BeautifulSoup(write_editions_index(tmp_path).read_text(), "html.parser")
    policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert policy.startswith("default-src 'none';") and "script-src" not in policy and soup.find("script") is None


def test_the_key_changes_with_notebook_input_parameters_and_library(tmp_path):
    """Pins what triggers a rebuild: content of notebook, declared inputs, parameters, library."""
    report = fixture_catalog(tmp_path)["uji"]
    (tmp_path / "skor.csv").write_text("entity,score\nA,1\n")
    params = {"year": 2024, "province": "17"}

    def key(p=params, library="lib"):
        return b.job_key(report, p, library, b.Digests())

    first = key()
    (tmp_path / "unrelated.txt").write_text("x")
    (tmp_path / "skor.csv").touch()  # a new timestamp alone is no change
    assert key() == first
    assert key(p=params | {"province": "11"}) != first
    assert key(library="lib2") != first
    (tmp_path / "skor.csv").write_text("entity,score\nA,2\n")
    second = key()
    assert second != first
    nb = (tmp_path / "laporan.ipynb").read_text()
    (tmp_path / "laporan.ipynb").write_text(nb.replace("# Laporan uji", "# Laporan uji (baru)"))
    assert key() != second


def test_library_digest_covers_the_modules_a_report_imports_and_package_data(tmp_path):
    """Pins what of the library rebuilds a report: the modules its notebook imports, directly or not
    (relative and lazy imports too), and package data; not a module it never reaches."""
    package = tmp_path / "pkg"
    (package / "data").mkdir(parents=True)
    (package / "sub").mkdir()
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "used.py").write_text("from .. import dep\n\ndef f():\n    from ..lazy import g\n")
    (package / "dep.py").write_text("x = 1")
    (package / "lazy.py").write_text("def g(): pass")
    (package / "unused.py").write_text("y = 1")
    (package / "data" / "era.toml").write_text("a = 1")
    notebook = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("from pkg.sub import used")]), notebook)
    assert {p.relative_to(package).as_posix() for p in b.module_closure(b.notebook_imports(notebook), package)} == {
        "__init__.py", "sub/__init__.py", "sub/used.py", "dep.py", "lazy.py"}

    first = b.library_digest(notebook, package)
    (package / "unused.py").write_text("y = 2")
    assert b.library_digest(notebook, package) == first
    for changed in ("dep.py", "lazy.py", "data/era.toml"):
        (package / changed).write_text((package / changed).read_text() + "\n# changed\n")
        assert b.library_digest(notebook, package) != first, changed
        first = b.library_digest(notebook, package)


def test_an_edit_to_ingest_or_scoring_rebuilds_no_report():
    """The report notebooks reach the report modules, not the stages that make the processed tables."""
    for notebook in sorted(config.REPORT_NOTEBOOKS_DIR.glob("*.ipynb")):
        files = {p.relative_to(config.PACKAGE_DIR).as_posix()
                 for p in b.module_closure({*b.notebook_imports(notebook), *b.RENDERING_MODULES})}
        assert {f"reports/sections/{notebook.stem}.py", "reports/sections/common.py", "reports/tables.py",
                "reports/charts.py", "reports/render.py", "methodology.py"} <= files, notebook.name
        assert not files & {"ingest/__init__.py", "scoring.py", "pipeline.py", "ranking.py", "published.py", "cli.py",
                            "synthetic/__init__.py", "reports/build/__init__.py"}, notebook.name


def test_parameters_are_checked_before_any_work(tmp_path):
    bad = Job("uji", {"year": "2024", "province": "17"}, "x", "17")
    with pytest.raises(ParameterError, match="parameter 'year' of report 'uji' must be int"):
        run(tmp_path, [uji(tmp_path, "17"), bad])
    assert not (tmp_path / "reports").exists()


def test_failing_section_is_the_nearest_heading_above():
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nb = new_notebook(cells=[
        new_markdown_cell("# Judul"), new_code_cell("a = 1"),
        new_markdown_cell("## Peringkat\n\nteks\n### Rincian"), new_markdown_cell("Catatan tanpa judul"),
        new_code_cell("gagal()"),
    ])
    assert b.failing_section(nb, "gagal()") == "Rincian"
    assert b.failing_section(nb, "a = 1") == "Judul"


def test_notebook_imports_are_found_for_warming_the_kernel():
    assert {"warnings", "matplotlib.pyplot", "pandas", "kepatuhan_lib.reports.emit",
            "kepatuhan_lib.reports.params"} <= b.notebook_imports(FIXTURES / "laporan.ipynb")


def scores_file(tmp_path) -> Path:
    rows = [
        (2023, "Pemerintah Kabupaten", "17", "17.06", "Kabupaten Mukomuko", 90.02, "published"),
        (2023, "Pemerintah Kota", "11", "11.71", "Kota Banda Aceh", 70.0, "synthetic"),
        (2022, "Pemerintah Kabupaten", "17", "17.06", "Kabupaten Mukomuko", 60.35, "published"),
        (2023, "Kementerian", None, "KEM.01", "Kementerian A", 88.0, "synthetic"),
    ]
    frame = pd.DataFrame(rows, columns=["year", "entity_type", "province_code", "entity_code", "entity", "score", "basis"])
    path = tmp_path / "scores.parquet"
    frame.astype({"province_code": "string"}).to_parquet(path)
    return path


def plain(jobs):
    """(report, parameters but the edition) of each job; the edition is checked once."""
    assert {j.params["edition"] for j in jobs} == {"contoh"}
    return [(j.report, {k: v for k, v in j.params.items() if k != "edition"}) for j in jobs]


def test_default_selection_from_the_scores(tmp_path):
    jobs = b.select_jobs("contoh", scores_path=scores_file(tmp_path))
    assert plain(jobs) == [
        ("nasional", {"year": 2022}), ("provinsi", {"year": 2022, "province": "17"}),
        ("entitas", {"entity_code": "KEM.01", "year": 2023}), ("entitas", {"entity_code": "11.71", "year": 2023}),
        ("entitas", {"entity_code": "17.06", "year": 2023}),
        ("nasional", {"year": 2023}), ("provinsi", {"year": 2023, "province": "11"}),
        ("provinsi", {"year": 2023, "province": "17"}),
    ]
    assert REPORTS["entitas"].output(jobs[4]).as_posix() == "2023/entitas/17.06-kabupaten-mukomuko.html"
    assert REPORTS["provinsi"].output(jobs[1]).as_posix() == "2022/provinsi-17-bengkulu.html"


def test_selection_by_province_name_year_and_report(tmp_path):
    path = scores_file(tmp_path)
    jobs = b.select_jobs("contoh", years=[2023], provinces=["Bengkulu"], scores_path=path)
    assert plain(jobs) == [
        ("entitas", {"entity_code": "17.06", "year": 2023}), ("provinsi", {"year": 2023, "province": "17"}),
    ]
    assert [j.report for j in b.select_jobs("contoh", provinces=["17"], reports=["nasional"], scores_path=path)] \
        == ["nasional"] * 2
    with pytest.raises(UsageError, match="unknown report kabupaten"):
        b.select_jobs("contoh", reports=["kabupaten"], scores_path=path)
    with pytest.raises(UsageError, match="no report matches in edition contoh; years: 2022, 2023"):
        b.select_jobs("contoh", years=[2030], scores_path=path)
    with pytest.raises(ParameterError, match="unknown province 'Atlantis'"):
        b.select_jobs("contoh", provinces=["Atlantis"], scores_path=path)


def test_cli_build_with_an_unknown_province_is_a_usage_error(tmp_path, monkeypatch, capsys):
    from kepatuhan_lib.cli import main

    (tmp_path / "contoh").mkdir()
    scores_file(tmp_path / "contoh")
    monkeypatch.setattr(config, "PROCESSED_DIR", tmp_path)
    monkeypatch.setattr(config, "REPORTS_DIR", tmp_path / "reports")
    assert main(["build", "--province", "Atlantis"]) == 2
    err = capsys.readouterr().err
    assert "unknown province 'Atlantis'; allowed: 11 Aceh" in err and "Traceback" not in err


def test_progress_in_a_log_is_a_line_every_interval_and_at_the_end():
    import io

    now, out = [0.0], io.StringIO()
    log = b.ProgressLog(4, every=30, clock=lambda: now[0], out=out)
    for t, failures in ((10, 0), (31, 1), (40, 1), (45, 1)):
        now[0] = t
        log.update(failures)
    assert out.getvalue().splitlines() == [
        "laporan 2/4, 1 gagal, 31 s berlalu, sisa sekitar 31 s",
        "laporan 4/4, 1 gagal, 45 s berlalu, sisa sekitar 0 s",
    ]


def kernel_probe_catalog(root: Path) -> dict[str, Report]:
    """A report that fails if anything of a previous report is still in its kernel, and names its kernel.

    Province 'gagal' raises in a cell, province 'mati' kills its kernel; any other province leaves
    state behind (a name, a matplotlib setting, an environment variable, a warnings filter).
    """
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    parameters = new_code_cell('year = 2024\nprovince = "17"', metadata={"tags": ["parameters"]})
    nb = new_notebook(cells=[
        parameters,
        new_markdown_cell("# Uji kernel"),
        new_code_cell(
            "import os, warnings\nimport matplotlib\n"
            'assert "bekas" not in globals(), "a name of the previous report"\n'
            'assert matplotlib.rcParams["lines.linewidth"] != 9, "a matplotlib setting"\n'
            'assert "BEKAS" not in os.environ, "an environment variable"\n'
            'assert not any(f[1] and f[1].pattern == "bekas" for f in warnings.filters), "a warnings filter"'
        ),
        new_markdown_cell("## Jejak"),
        new_code_cell(
            'if province == "gagal":\n    raise ValueError("gagal sengaja")\n'
            'if province == "mati":\n    os._exit(1)\n'
            'bekas = province\nmatplotlib.rcParams["lines.linewidth"] = 9\nos.environ["BEKAS"] = "1"\n'
            'warnings.filterwarnings("ignore", message="bekas")'
        ),
        new_code_cell("from kepatuhan_lib.reports.emit import emit_headline\nemit_headline(kernel=os.getpid())"),
    ], metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})
    nbformat.write(nb, root / "kernel.ipynb")
    return {"kernel": Report(
        "kernel", "Uji kernel", root / "kernel.ipynb", (Parameter("year", int, 2024), Parameter("province", str, "17")),
        (), lambda job: Path(f"kernel-{job.params['province']}.html"), select=lambda scores, edition: [],
    )}


@pytest.mark.slow
def test_one_kernel_serves_report_after_report_clean_and_a_failure_replaces_it(tmp_path):
    """Pins report isolation in a reused kernel: nothing a report leaves reaches the next one, and
    after a failing cell or a dead kernel the next report runs in a fresh kernel."""
    provinces = ["11", "12", "gagal", "13", "mati", "14"]
    jobs = [Job("kernel", {"year": 2024, "province": p}, p, p) for p in provinces]
    result = b.build(jobs, catalog=kernel_probe_catalog(tmp_path), reports_dir=tmp_path / "reports", n_jobs=1,
                     progress=False)
    assert sorted(result.failed) == ["kernel-gagal.html", "kernel-mati.html"]
    assert result.failed["kernel-gagal.html"].error == "ValueError: gagal sengaja"
    assert result.failed["kernel-mati.html"].error.startswith("the kernel died")
    state = json.loads((tmp_path / "reports" / config.BUILD_STATE_NAME).read_text())["reports"]
    kernel = {p: state[f"kernel-{p}.html"]["headline"]["kernel"] for p in ("11", "12", "13", "14")}
    assert kernel["11"] == kernel["12"]  # reused: the clean-state checks above ran in a used kernel
    assert len({kernel["12"], kernel["13"], kernel["14"]}) == 3


# --- one build at a time, interrupts, kill -9 ------------------------------------------------------

SLOW_BUILD = Path(__file__).parent / "fixtures" / "slow_build.py"
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="reads the process tree from /proc")


def slow_tree(tmp_path: Path) -> Path:
    (tmp_path / "data" / "processed" / "contoh").mkdir(parents=True)
    scores_file(tmp_path / "data" / "processed" / "contoh")
    return tmp_path


def start_slow_build(root: Path, reports: int, seconds: float, *options, **popen) -> subprocess.Popen:
    """tests/fixtures/slow_build.py in ``root``, stderr to root/stderr.txt."""
    return subprocess.Popen([sys.executable, str(SLOW_BUILD), str(reports), str(seconds), *options],
                            env=os.environ | {"KEPATUHAN_ROOT": str(root), "MPLBACKEND": "Agg"},
                            stdout=subprocess.DEVNULL, stderr=(root / "stderr.txt").open("w"),
                            preexec_fn=_sigint_as_from_a_shell, **popen)


def _sigint_as_from_a_shell() -> None:
    """In the child: Ctrl-C's default action, as a shell starts a command. An ignored SIGINT is inherited,
    and this test process may have it ignored: an in-process `main` that ended interrupted leaves it so."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(condition, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            children.setdefault(int(stat.read_text().rsplit(")", 1)[1].split()[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    found, todo = set(), [pid]
    while todo:
        todo += [c for c in children.get(todo.pop(), []) if c not in found]
        found.update(children.get(pid, []))
        found.update(todo)
    return found


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cli_build(root: Path, *options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kepatuhan_lib.cli", "build", *options], capture_output=True,
                          text=True, env=os.environ | {"KEPATUHAN_ROOT": str(root)}, timeout=60)


@linux_only
def test_a_second_build_names_the_first_and_a_killed_build_leaves_nothing_running(tmp_path):
    """Pins the build lock (pid, host, start; exit 2), that the worker and its kernel end with a build
    killed with -9 (no report written afterwards), and that the next build takes the stale lock over."""
    root = slow_tree(tmp_path)
    sleep = 12  # long enough for the second build to start and stop on a loaded machine
    first = start_slow_build(root, 1, sleep, "--jobs", "1")
    wait_for(lambda: list(root.glob("started-*")), what="the kernel running")
    report_done = time.monotonic() + sleep
    tree = descendants(first.pid)
    second = cli_build(root)
    assert second.returncode == 2 and "Traceback" not in second.stderr
    assert re.fullmatch(rf"kepatuhan build: another build is running in reports/ \(pid {first.pid} on [^,]+, "
                        r"since \d{4}-\d\d-\d\dT[\d:]{8}\); wait for it to end, then run again\n", second.stderr)

    first.kill()
    first.wait()
    kernel = int(next(root.glob("started-*")).name.rsplit("-", 1)[1])
    assert kernel in tree and len(tree) >= 3  # forkserver, worker, kernel (and a resource tracker)
    wait_for(lambda: not any(running(p) for p in tree), timeout=10, what="the build's processes to end")
    time.sleep(max(0.0, report_done - time.monotonic()) + 2)  # a surviving worker would have written it by now
    assert not list((root / "reports" / "contoh").glob("lambat-*"))

    third = cli_build(root, "--province", "Atlantis")  # past the lock, stopped by the province
    assert third.returncode == 2
    assert third.stderr.startswith("kepatuhan build: taking over the lock of an earlier build that did not "
                                   f"finish (pid {first.pid} on ")
    assert "unknown province 'Atlantis'" in third.stderr and (root / "reports" / ".lock").read_text() == ""


@linux_only
@pytest.mark.parametrize("moment, to, jobs", [("starting", "group", 2), ("building", "group", 1),
                                              ("building", "process", 1)])
def test_ctrl_c_prints_one_line_exits_130_and_stops_every_worker(tmp_path, moment, to, jobs):
    """SIGINT to the build alone, or to its process group as Ctrl-C on a terminal sends it: one line,
    exit code 130, no traceback of any worker, no process of the build left, the lock free again."""
    root = slow_tree(tmp_path)
    build = start_slow_build(root, 4, 60, "--jobs", str(jobs), start_new_session=True)
    if moment == "starting":  # the workers start their kernels
        wait_for(lambda: len(descendants(build.pid)) >= 2 + jobs, timeout=60, what="the workers")
        assert not list(root.glob("started-*"))
    else:
        wait_for(lambda: len(list(root.glob("started-*"))) == jobs, what="the kernels running")
    tree = descendants(build.pid)
    started = time.monotonic()
    os.killpg(build.pid, signal.SIGINT) if to == "group" else build.send_signal(signal.SIGINT)
    assert build.wait(timeout=30) == 130
    seconds = time.monotonic() - started
    err = (root / "stderr.txt").read_text()
    assert "Traceback" not in err and err.count("interrupted") == 1
    assert err.rstrip().endswith("kepatuhan build: interrupted")
    wait_for(lambda: not any(running(p) for p in tree), timeout=10, what="the build's processes to end")
    assert (root / "reports" / ".lock").read_text() == "" and seconds < 10
    assert not list((root / "reports" / "contoh").glob("lambat-*"))


@pytest.fixture
def processed_scores(tmp_path, monkeypatch):
    """An edition with scores only, and reports/ under tmp_path."""
    (tmp_path / "contoh").mkdir()
    scores_file(tmp_path / "contoh")
    monkeypatch.setattr(config, "PROCESSED_DIR", tmp_path)
    monkeypatch.setattr(config, "REPORTS_DIR", tmp_path / "reports")
    return tmp_path


def test_jobs_above_the_core_count_are_capped_with_a_notice(processed_scores, monkeypatch, capsys):
    from kepatuhan_lib.cli import main

    asked = []
    monkeypatch.setattr(b, "select_jobs", lambda *a, **k: [])
    monkeypatch.setattr(b, "build", lambda jobs, **kw: asked.append(kw["n_jobs"]) or b.BuildResult([], [], {}, 0.0))
    cores = b.available_cores()
    assert main(["build", "--jobs", str(cores + 7)]) == 0
    assert asked == [cores]
    assert f"--jobs {cores + 7} is more than the {cores} cores here; using {cores}" in capsys.readouterr().err
    assert main(["build", "--jobs", str(cores)]) == 0 and asked == [cores, cores]
    assert "cores here" not in capsys.readouterr().err


@contextlib.contextmanager
def read_only(folder: Path):
    """``folder`` not writable, by its mode, or (for root, whom modes do not stop) immutable."""
    folder.chmod(0o555)
    immutable = os.access(folder, os.W_OK)
    if immutable and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        folder.chmod(0o755)
        pytest.skip("running as root without chattr: cannot make a folder read-only")
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def test_a_read_only_or_full_reports_folder_is_one_message_naming_it(processed_scores, monkeypatch, capsys):
    from kepatuhan_lib import locks
    from kepatuhan_lib.cli import main

    reports = processed_scores / "reports"
    reports.mkdir()
    with read_only(reports):
        assert main(["build"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kepatuhan build: cannot write in {reports}/: ") and "Traceback" not in err
    assert err.count("\n") == 1

    def full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(locks.os, "pwrite", full)
    assert main(["build"]) == 2
    assert capsys.readouterr().err == f"kepatuhan build: cannot write in {reports}/: No space left on device\n"


# --- what rebuilds a report: the rows it reads --------------------------------------------------------

NEW_DATA_ENTITY = "17.05"  # Kabupaten Seluma, Bengkulu: scored from the example answers (basis synthetic)


def all_keys(edition: str) -> dict[str, str]:
    """The key of every report of the edition's default selection, as a build computes it, by page."""
    digests = b.Digests()
    keys = {}
    for job in b.select_jobs(edition):
        report = REPORTS[job.report]
        keys[report.page(job).as_posix()] = b.job_key(report, check(report, job.params), "library", digests)
    return keys


def entity_rows(processed) -> dict[str, list]:
    """Per entity code, every row of the processed tables an entity profile could show, as plain values."""
    rows: dict[str, list] = {}
    for name in ("scores", "unit_figures", "changes", "published", "disagreements"):
        frame = pd.read_parquet(processed.table(name))
        for record in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
            rows.setdefault(record.entity_code, []).append((name, tuple(record)))
    return rows


@pytest.fixture(scope="module")
def new_data(tmp_path_factory):
    """The committed example exports (Bengkulu, Maluku; one answer of 2022 rejected) ingested by the real
    pipeline into a temporary tree, then again after new data for one entity of Bengkulu 2023 (every answer
    of Kabupaten Seluma scored 0): the keys of every contoh report and every entity's rows, before and after."""
    from kepatuhan_lib.cli import main

    root = tmp_path_factory.mktemp("new-data")
    with pytest.MonkeyPatch.context() as mp:
        committed = config.SYNTHETIC_EXAMPLES_DIR
        data_under(mp, root)
        shutil.copytree(committed, config.SYNTHETIC_EXAMPLES_DIR)
        with (config.SYNTHETIC_EXAMPLES_DIR / "synthetic_jawaban_indikator_2022_bengkulu.csv").open("a") as answers:
            answers.write("2022;Bengkulu;Pemerintah Kabupaten;Kabupaten Kaur;17.04;DPMPTSP;Input;Kompetensi Pelaksana;"
                          "IN01;Pelaksana memahami standar pelayanan dan tugasnya;PL9;3;tiga;ya\n")  # rejected
        assert main(["ingest"]) == 1
        before = all_keys("contoh"), entity_rows(config.processed("contoh"))
        answers = config.SYNTHETIC_EXAMPLES_DIR / "synthetic_jawaban_indikator_2023_bengkulu.csv"
        lines = answers.read_text(encoding="utf-8-sig").splitlines()
        seluma = [i for i, line in enumerate(lines) if f";{NEW_DATA_ENTITY};" in line]
        assert len(seluma) > 100
        for i in seluma:
            fields = lines[i].split(";")
            fields[-2] = "0"  # Skor
            lines[i] = ";".join(fields)
        answers.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
        assert main(["ingest"]) == 1
        scores = pd.read_parquet(config.processed("contoh").table("scores"))
        yield before, (all_keys("contoh"), entity_rows(config.processed("contoh"))), scores


def test_new_data_for_one_province_rebuilds_its_reports_the_national_summaries_that_read_it_and_changed_profiles(
        new_data):
    """New answers for one Bengkulu 2023 entity rebuild Bengkulu's province reports (every year: each shows the
    province's trend), the national summary of 2023 and of every later year (its zone chart reads every year up
    to its own; the entity's zone changed), and the profiles of the entities whose rows changed (the entity
    itself, and those whose national rank moved); nothing else: not Maluku's reports, nor earlier summaries."""
    (keys_before, rows_before), (keys_after, rows_after), scores = new_data
    seluma = scores[(scores["entity_code"] == NEW_DATA_ENTITY) & (scores["year"] == 2023)].iloc[0]
    assert (seluma["basis"], seluma["score"], seluma["zone"]) == ("synthetic", 0, "merah")
    assert set(keys_before) == set(keys_after)
    rebuilt = {page for page, key in keys_after.items() if keys_before[page] != key}
    province = {p for p in keys_after if re.fullmatch(r"\d{4}/provinsi-17-bengkulu\.html", p)}
    national = {p for p in keys_after if p.endswith("/nasional.html") and int(p[:4]) >= 2023}
    changed = {code for code in rows_before.keys() | rows_after.keys() if rows_before.get(code) != rows_after.get(code)}
    profiles = {p for p in keys_after if "/entitas/" in p and p.split("/")[2].split("-")[0] in changed}
    assert len(province) >= 4 and len(national) >= 2 and any(f"/{NEW_DATA_ENTITY}-" in p for p in profiles)
    assert rebuilt == province | national | profiles
    assert len(profiles) < sum("/entitas/" in p for p in keys_after) / 2  # most profiles stay as they are
    assert not any("provinsi-81-" in p for p in rebuilt) and "2022/nasional.html" not in rebuilt


def test_an_edit_to_a_message_of_ingest_rebuilds_no_report(tmp_path):
    """A message of an ingest module edited (in a copy of the package): every report notebook's library digest,
    and so its key, stays the same; the same edit to a module the reports import changes it."""
    import ast

    package = tmp_path / config.PACKAGE_DIR.name
    shutil.copytree(config.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    notebooks = sorted(config.REPORT_NOTEBOOKS_DIR.glob("*.ipynb"))
    before = [b.library_digest(nb, package) for nb in notebooks]

    def edit_a_message(path: Path) -> bool:
        """The first message of the module (a string with a space, written as its repr) edited, if it has one."""
        source = path.read_text(encoding="utf-8")
        message = next((n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant)
                        and isinstance(n.value, str) and " " in n.value and repr(n.value) in source), None)
        if message is not None:
            path.write_text(source.replace(repr(message), repr(message + " (diubah)"), 1), encoding="utf-8")
        return message is not None

    ingest = sorted((package / "ingest").glob("*.py"))
    assert sum(edit_a_message(path) for path in ingest) >= len(ingest) / 2
    assert [b.library_digest(nb, package) for nb in notebooks] == before
    assert edit_a_message(package / "reports" / "fmt.py")
    assert all(b.library_digest(nb, package) != old for nb, old in zip(notebooks, before, strict=True))


def displayed(report: Report, params: dict) -> list:
    """Everything the report's notebook displays, its cells run in this process (its list of input files left
    out: it names the folder the tables were read from)."""
    import IPython.display

    from kepatuhan_lib.reports import emit

    outputs = []

    def display(*objects, raw=False, **_):
        outputs.extend((o if raw else getattr(o, "data", repr(o))) for o in objects if not (raw and emit.INPUTS in o))

    namespace = dict(params)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(IPython.display, "display", display)
        for cell in nbformat.read(report.notebook, as_version=4).cells:
            if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
                exec(cell.source, namespace)
    return outputs


def unread_changed(frame: pd.DataFrame, selected, unique: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` with what a job does not read of it changed: the rows it selects none of dropped, and in
    the others each column it does not read shifted one row down among them (the table's unique key stays)."""
    kept = np.zeros(len(frame), dtype=bool)
    read = {c: np.zeros(len(frame), dtype=bool) for c in frame.columns}
    for positions, columns in selected:
        kept[positions] = True
        for c in columns:
            read[c][positions] = True
    changed = frame.copy()
    for c in frame.columns:
        unread = np.flatnonzero(kept & ~read[c])
        if len(unread) > 1 and c not in unique:
            order = np.arange(len(frame))
            order[unread] = np.roll(unread, 1)
            changed[c] = frame[c].array.take(order)
    return changed[kept].reset_index(drop=True)


@pytest.mark.slow
@pytest.mark.parametrize("kind, pick", [
    ("provinsi", lambda j: j.params["year"] == 2021 and j.params["province"] == "17"),  # a file of two provinces
    ("provinsi", lambda j: j.params["year"] == 2022 and j.params["province"] == "17"),  # a rejected row
    ("nasional", lambda j: j.params["year"] == 2024),
    ("entitas", lambda j: j.params["entity_code"] == NEW_DATA_ENTITY),
])
def test_a_report_shows_nothing_of_its_tables_but_the_rows_its_key_covers(new_data, tmp_path, monkeypatch, kind, pick):
    """Pins the declarations of what each report reads (catalog.Rows): with every row its key does not cover
    dropped and every column of a covered row it does not read shifted to another row, the report shows
    exactly the same; a section reading anything else would be stale after new data, and fails here."""
    from kepatuhan_lib import schemas
    from kepatuhan_lib.reports import data
    from kepatuhan_lib.reports.build.reads import selections

    monkeypatch.setenv("MPLBACKEND", "Agg")
    report = REPORTS[kind]
    job = next(j for j in b.select_jobs("contoh", reports=[kind]) if pick(j))
    params = check(report, job.params)
    tables = b.Digests().tables("contoh")
    dropped = 0
    for name in data.TABLES:
        frame = tables(name).frame
        changed = unread_changed(frame, selections(report.reads, params, tables, name),
                                 tuple(schemas.PROCESSED[name].unique or ()))
        dropped += len(frame) - len(changed)
        (tmp_path / "contoh").mkdir(exist_ok=True)
        changed.to_parquet(tmp_path / "contoh" / f"{name}.parquet")
    assert dropped > 1000  # the job reads a small part of the edition
    shown = displayed(report, params)
    monkeypatch.setattr(config, "PROCESSED_DIR", tmp_path)
    assert displayed(report, params) == shown
