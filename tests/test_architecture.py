"""docs/architecture.md, the layers contract in pyproject.toml and the installed apps tell one
story: a new app cannot escape the layers, and the document cannot drift from the contract."""

import re
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
DOC = (ROOT / "docs" / "architecture.md").read_text()


def _contract_layers() -> list[list[str]]:
    (contract,) = [c for c in CONFIG["contracts"] if c["type"] == "layers"]
    return [[name.strip() for name in layer.split("|")] for layer in contract["layers"]]


def _diagram_layers() -> list[list[str]]:
    """The packages the diagram names, top to bottom: the words left of its descriptions,
    which start in column 34."""
    diagram = DOC.split("```text", 1)[1].split("```", 1)[0]
    rows = [re.findall(r"[a-z_]+", line[:34]) for line in diagram.splitlines()]
    return [row for row in rows if row]


def test_every_project_app_is_in_the_layers():
    local_apps = {app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()}
    layered = {name for layer in _contract_layers() for name in layer}
    assert local_apps <= layered
    assert layered == set(CONFIG["root_packages"])


def test_the_layers_have_no_exceptions_list():
    (contract,) = [c for c in CONFIG["contracts"] if c["type"] == "layers"]
    assert "ignore_imports" not in contract


def test_the_diagram_draws_the_contracts_layers_in_order():
    assert _diagram_layers() == _contract_layers()


def test_every_layer_has_its_paragraph():
    for layer in _contract_layers():
        for name in layer:
            assert f"`{name}`" in DOC.split("## The layers, bottom up", 1)[1], name
