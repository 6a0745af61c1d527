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
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from kepatuhan_lib import config
from kepatuhan_lib.errors import ParameterError, UsageError
from kepatuhan_lib.reports import build as b
from kepatuhan_lib.reports.catalog import REPORTS, Job, Parameter, Report

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
        return b.job_key(report, p, library, {})

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
        assert {"reports/sections.py", "reports/tables.py", "reports/charts.py", "reports/render.py",
                "methodology.py"} <= files, notebook.name
        assert not files & {"ingest/__init__.py", "scoring.py", "pipeline.py", "ranking.py", "published.py", "cli.py",
                            "synthetic/__init__.py", "reports/build.py"}, notebook.name


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
