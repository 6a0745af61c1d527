"""The project installs the same packages whichever way a user sets it up."""

import re
import tomllib

from kepatuhan_lib import config

NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)")


def _names(specs):
    return {NAME.match(s).group(1).lower().replace("_", "-") for s in specs}


def _pyproject_packages():
    project = tomllib.loads((config.ROOT / "pyproject.toml").read_text())["project"]
    return _names(project["dependencies"]).union(*map(_names, project["optional-dependencies"].values()))


def _environment_packages():
    text = (config.ROOT / "environment.yml").read_text()
    names = []
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = re.match(r"^\s{2}- ([A-Za-z][^:#]*)$", line)
        if m:
            names.append(m.group(1).strip())
    return _names(names) - {"python", "pip"}


def test_environment_yml_lists_the_same_packages_as_pyproject():
    assert _environment_packages() == _pyproject_packages()


def test_environment_yml_installs_the_project_itself():
    assert "-e .[dev]" in (config.ROOT / "environment.yml").read_text()
