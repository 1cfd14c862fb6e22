"""The package as users get it: sdist and wheel carry openapi/, fixtures/, the licence and the
metadata; the wheel installs in a clean virtualenv and runs; installing prints no warnings."""
import os
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import mockcdr

ROOT = Path(__file__).resolve().parent.parent


def _quiet_pip_env() -> dict:
    """pip as on a fresh machine: no config files of this one (their index warnings are not ours)."""
    return {**os.environ, "PIP_CONFIG_FILE": os.devnull}


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """``python -m build``: the sdist, then the wheel built from that sdist (what PyPI gets)."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, env=_quiet_pip_env())
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def _metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(zf.read(name).decode("utf-8")), zf.namelist()


def _dashboard_files() -> list[str]:
    return sorted(p.name for p in (ROOT / "mockcdr" / "dashboard").iterdir() if p.suffix in (".html", ".css", ".js"))


@pytest.mark.slow
def test_the_wheel_carries_specs_fixtures_licence_types_and_metadata(dist):
    wheel = next(dist.glob("mockcdr-*.whl"))
    meta, names = _metadata(wheel)
    assert meta["Version"] == mockcdr.__version__
    assert meta["License-Expression"] == "MIT"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "mockcdr/py.typed" in names
    for spec in (ROOT / "openapi").glob("*.yaml"):
        assert f"mockcdr/openapi/{spec.name}" in names
    for fixture in (ROOT / "fixtures" / "default").glob("*.yaml"):
        assert f"mockcdr/fixtures/default/{fixture.name}" in names
    for page_file in _dashboard_files():
        assert f"mockcdr/dashboard/{page_file}" in names
    classifiers = meta.get_all("Classifier")
    assert "Framework :: Pytest" in classifiers and "Typing :: Typed" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]    # the SPDX expression says it
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert {"Homepage", "Source", "Issues", "Changelog"} <= set(urls)
    requires = meta.get_all("Requires-Dist")
    assert any(re.fullmatch(r"tzdata\s*;\s*sys_platform\s*==\s*['\"]win32['\"]", r) for r in requires)
    assert {"validate", "testcontainers", "test"} <= set(meta.get_all("Provides-Extra"))
    assert any(r.startswith("jsonschema-rs") and "extra == 'validate'" in r.replace('"', "'")
               for r in requires)
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


@pytest.mark.slow
def test_the_sdist_builds_the_same_package_and_carries_the_changelog(dist):
    sdist = next(dist.glob("mockcdr-*.tar.gz"))
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "openapi/control.yaml",
            "fixtures/default/tenants.yaml", "mockcdr/py.typed"} <= names
    assert not any(n.startswith((".venv/", ".ci/")) for n in names)


@pytest.mark.slow
def test_wheel_installs_in_a_clean_virtualenv_and_serves_its_specs(dist, tmp_path):
    wheel = next(dist.glob("mockcdr-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True)
    spec = subprocess.run([str(env_dir / "bin" / "mockcdr"), "spec", "control"], capture_output=True,
                          text=True, cwd=tmp_path)
    assert spec.returncode == 0, spec.stderr
    assert spec.stdout == (ROOT / "openapi" / "control.yaml").read_text()
    listed = subprocess.run([str(env_dir / "bin" / "mockcdr"), "spec", "--list"], capture_output=True,
                            text=True, cwd=tmp_path).stdout.split()
    assert sorted(listed) == sorted(p.stem for p in (ROOT / "openapi").glob("*.yaml"))
    code = ("from mockcdr import resources; import sys; d = resources.default_fixtures();"
            "sys.exit(0 if 'site-packages' in str(d) and (d / 'tenants.yaml').is_file() else 1)")
    assert subprocess.run([str(py), "-c", code], cwd=tmp_path).returncode == 0
    version = subprocess.run([str(py), "-m", "mockcdr", "--version"], capture_output=True, text=True,
                             cwd=tmp_path)
    assert version.stdout.strip() == f"mockcdr {mockcdr.__version__}"
    # the dashboard's files come from the installed package, every one the page loads
    code = ("import sys, mockcdr.dashboard as d; from mockcdr.app import create_app; c = create_app().test_client();"
            "assert 'site-packages' in d.__file__, d.__file__;"
            "bad = [n for n in sys.argv[1:] if c.get('/_mockcdr/ui/' + n).status_code != 200];"
            "page = c.get('/_mockcdr/ui/');"
            "print('not served:', bad, 'page:', page.status_code, file=sys.stderr);"
            "sys.exit(1 if bad or page.status_code != 200 or b'dashboard.js' not in page.data else 0)")
    served = subprocess.run([str(py), "-c", code, *_dashboard_files()], cwd=tmp_path, capture_output=True, text=True)
    assert served.returncode == 0, served.stderr


@pytest.mark.slow
def test_an_editable_install_prints_nothing(tmp_path):
    """What ``make run`` does on a fresh clone, with pip's ``--quiet``: no warnings of ours."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python"),
                           "install", "--quiet", "--no-deps", "--no-cache-dir", "-e", str(ROOT)],
                          capture_output=True, text=True, env=_quiet_pip_env())
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""


def test_the_version_is_written_once():
    """pyproject.toml reads it from mockcdr/__init__.py; the Dockerfile does not repeat it."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "mockcdr/__init__.py"
    assert re.fullmatch(r"\d+\.\d+\.\d+", mockcdr.__version__)
    assert mockcdr.__version__ not in (ROOT / "Dockerfile").read_text()
    assert f"## [{mockcdr.__version__}]" in (ROOT / "CHANGELOG.md").read_text()


def test_the_docker_image_is_configured_for_containers():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "MOCKCDR_HOST=0.0.0.0" in dockerfile and "EXPOSE 8080" in dockerfile
    assert re.search(r"^USER 10001$", dockerfile, re.M)
    assert "/_mockcdr/health" in dockerfile.split("HEALTHCHECK", 1)[1]
