"""Where the shipped OpenAPI specs and default fixtures are, installed or in a source checkout."""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent


def _package_dir(package: str, repo_dir: str) -> Path:
    """``mockcdr/<dir>`` as installed from the wheel, else ``<dir>`` of a source checkout.

    A plain path beside this file, as ``importlib.resources.files`` gives for an unzipped
    install, without importing it (15-30 ms of the start-up).
    """
    path = _PACKAGE / package.rpartition(".")[2]
    return path if path.is_dir() else _REPO / repo_dir


def specs_dir() -> Path:
    return _package_dir("mockcdr.openapi", "openapi")


def fixtures_dir() -> Path:
    return _package_dir("mockcdr.fixtures", "fixtures")


def default_fixtures() -> Path:
    return fixtures_dir() / "default"


def spec_path(name: str) -> Path:
    """The spec file for a vendor slug or ``control``; FileNotFoundError if there is none."""
    path = specs_dir() / (name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
    if not path.is_file():
        raise FileNotFoundError(f"no OpenAPI spec named {name!r}")
    return path


def spec_names() -> list[str]:
    return sorted(p.stem for p in specs_dir().glob("*.yaml"))
