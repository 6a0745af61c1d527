"""The project installs the same packages whichever way a user sets it up, and declares what it imports."""

import ast
import importlib.metadata
import re
import sys
import tomllib

from kepatuhan_lib import __version__, config

SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(?:>=\s*([0-9][0-9.]*))?")
# Declared but not imported by kepatuhan_lib, each for a reason of its own.
NOT_IMPORTED = {
    "jupyterlab": "the analysts' notebook application",
    "ipykernel": "the kernel the report notebooks execute in",
}


def _normal(name: str) -> str:
    return name.lower().replace("_", "-")


def _bounds(specs) -> dict[str, str | None]:
    """name -> lower bound (None when unbounded)."""
    return {_normal(m.group(1)): m.group(2) for m in map(SPEC.match, specs)}


def _pyproject():
    return tomllib.loads((config.ROOT / "pyproject.toml").read_text())


def _pyproject_packages():
    project = _pyproject()["project"]
    bounds = _bounds(project["dependencies"])
    for extra in project["optional-dependencies"].values():  # pdf, dev
        bounds |= _bounds(extra)
    return bounds


def _environment_packages():
    text = (config.ROOT / "environment.yml").read_text()
    specs = []
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = re.match(r"^\s{2}- ([A-Za-z][^:#]*)$", line)
        if m:
            specs.append(m.group(1).strip())
    return {k: v for k, v in _bounds(specs).items() if k not in {"python", "pip"}}


def test_environment_yml_lists_the_same_packages_and_lower_bounds_as_pyproject():
    assert _environment_packages() == _pyproject_packages()


def test_every_package_has_a_lower_bound():
    assert [name for name, bound in _pyproject_packages().items() if bound is None] == []


def test_environment_yml_installs_the_project_itself():
    assert "-e .[dev]" in (config.ROOT / "environment.yml").read_text()


def _imported_distributions() -> set[str]:
    """Distributions whose modules kepatuhan_lib imports (standard library and itself left out)."""
    modules = set()
    for path in (config.ROOT / "kepatuhan_lib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    modules -= set(sys.stdlib_module_names) | {"kepatuhan_lib"}
    owners = importlib.metadata.packages_distributions()
    unknown = sorted(m for m in modules if m not in owners)
    assert unknown == [], f"imported modules no installed distribution provides: {unknown}"
    return {_normal(owners[m][0]) for m in modules}


def test_every_imported_package_is_declared_and_every_declared_one_is_used():
    runtime = set(_bounds(_pyproject()["project"]["dependencies"]))
    optional = set(_bounds(_pyproject()["project"]["optional-dependencies"]["pdf"]))  # kepatuhan[pdf]
    imported = _imported_distributions()
    assert sorted(imported - runtime - optional) == [], "imported but not declared in pyproject.toml dependencies"
    assert sorted((runtime | optional) - imported - set(NOT_IMPORTED)) == [], "declared but never imported"
    assert set(NOT_IMPORTED) <= runtime


def test_the_version_is_written_in_one_place():
    assert "version" in _pyproject()["project"]["dynamic"]
    assert "version" not in _pyproject()["project"]
    assert _pyproject()["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "kepatuhan_lib.__version__"}
    assert importlib.metadata.version("kepatuhan") == __version__


def test_every_file_the_package_reads_is_package_data():
    """A template, stylesheet, declaration or catalogue outside `[tool.setuptools.package-data]` would be missing
    from an installed kepatuhan (a report section's template among them)."""
    globs = _pyproject()["tool"]["setuptools"]["package-data"]["kepatuhan_lib"]
    packaged = {path for pattern in globs for path in config.PACKAGE_DIR.glob(pattern) if path.is_file()}
    files = {path for path in config.PACKAGE_DIR.rglob("*") if path.is_file() and path.suffix not in (".py", ".pyc")
             and "__pycache__" not in path.parts}
    assert sorted(p.relative_to(config.PACKAGE_DIR).as_posix() for p in files - packaged) == []
    assert config.SECTION_TEMPLATES_DIR / "parts.html.j2" in packaged and config.STYLESHEET in packaged
