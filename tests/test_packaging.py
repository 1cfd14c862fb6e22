"""The wheel carries openapi/ and fixtures/: build it, install it in a clean virtualenv, run it."""
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_in_a_clean_virtualenv_and_serves_its_specs(tmp_path):
    dist = tmp_path / "dist"
    # from a copy without build/ and *.egg-info: what an earlier build left there would ship too
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "node_modules", "out", ".pytest_cache"))
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(source)],
                   check=True, capture_output=True)
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
    # the dashboard's files come from the installed package, every one the page loads
    shipped = sorted(p.name for p in (ROOT / "mockcdr" / "dashboard").iterdir() if p.suffix in (".html", ".css", ".js"))
    code = ("import sys, mockcdr.dashboard as d; from mockcdr.app import create_app; c = create_app().test_client();"
            "assert 'site-packages' in d.__file__, d.__file__;"
            "bad = [n for n in sys.argv[1:] if c.get('/_mockcdr/ui/' + n).status_code != 200];"
            "page = c.get('/_mockcdr/ui/');"
            "print('not served:', bad, 'page:', page.status_code, file=sys.stderr);"
            "sys.exit(1 if bad or page.status_code != 200 or b'dashboard.js' not in page.data else 0)")
    served = subprocess.run([str(py), "-c", code, *shipped], cwd=tmp_path, capture_output=True, text=True)
    assert served.returncode == 0, served.stderr
    assert len(shipped) >= 10


def test_the_docker_image_labels_the_package_version_and_is_configured_for_containers():
    import re
    import tomllib
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(rf"^ARG VERSION={re.escape(version)}$", dockerfile, re.M)
    assert 'org.opencontainers.image.version="${VERSION}"' in dockerfile
    assert "MOCKCDR_HOST=0.0.0.0" in dockerfile and "EXPOSE 8080" in dockerfile
    assert re.search(r"^USER 10001$", dockerfile, re.M)
    assert "/_mockcdr/health" in dockerfile.split("HEALTHCHECK", 1)[1]
