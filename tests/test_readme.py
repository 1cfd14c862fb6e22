"""Every example in the README runs: shell commands against a live server, Python scripts,
pytest files, and YAML (fixtures load; CI snippets parse).

Fenced blocks are chosen by their info string: ``sh`` (each command is run, with the documented
``127.0.0.1:8080`` pointed at a live server), ``python`` (run as a script), ``python pytest``
(run as a test file with the plugin), ``yaml`` (fixtures are loaded by a real runtime; other YAML
must parse). ``console`` blocks show commands that are not run here (``make run``/``make test``).
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mockcdr.settings import ALL_VENDORS, Settings
from mockcdr.testing import LiveServer

from readme_blocks import blocks as all_blocks

ROOT = Path(__file__).resolve().parent.parent
RUNNABLE = ("sh", "python", "python pytest", "yaml")


def blocks():
    """Blocks this module runs: every one not marked ``<!-- run by <test file> -->``."""
    return [(info, body, line) for info, body, line, runner in all_blocks() if runner is None]


def test_marked_blocks_are_run_by_the_test_they_name():
    marked = [(body, line, runner) for _, body, line, runner in all_blocks() if runner]
    assert marked, "the vendor sections mark their client snippets"
    for body, line, runner in marked:
        test_file = ROOT / runner
        assert test_file.is_file(), f"README line {line} names {runner}, which does not exist"
        text = test_file.read_text()
        assert "vendor_snippet(" in text or f'snippets_run_by("{runner}")' in text, \
            f"{runner} does not run the README snippet"


def available_vendors() -> tuple[str, ...]:
    return tuple(s for s in ALL_VENDORS if importlib.util.find_spec(f"mockcdr.vendors.{s}"))


def commands(script: str) -> list[str]:
    """Shell lines, joining backslash continuations, skipping comments and blanks."""
    out, current = [], ""
    for line in script.splitlines():
        current += line.rstrip("\\").rstrip() + " " if line.endswith("\\") else line
        if not line.endswith("\\"):
            if current.strip() and not current.lstrip().startswith("#"):
                out.append(current.strip())
            current = ""
    return out


def test_the_readme_has_examples_of_every_runnable_kind():
    kinds = {info for info, _, _, _ in all_blocks()}
    assert {"sh", "python", "python pytest", "yaml"} <= kinds
    unknown = kinds - set(RUNNABLE) - {"console", "text", "dockerfile"}
    assert not unknown, f"README blocks with info strings this test does not run: {unknown}"


@pytest.fixture(scope="module")
def server():
    with LiveServer(Settings(vendors=available_vendors())) as live:
        yield live


def _env(tmp_path: Path) -> dict:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["HOME"] = str(tmp_path)
    return env


@pytest.mark.parametrize("info,body,line", [b for b in blocks() if b[0] == "sh"],
                         ids=lambda v: f"line{v}" if isinstance(v, int) else None)
def test_shell_examples_run_against_a_live_server(server, tmp_path, info, body, line):
    host = server.url.removeprefix("http://")
    server.reset()
    env = {**_env(tmp_path), "MOCKCDR_URL": server.url}      # what `mockcdr control` uses by default
    for command in commands(body):
        # .venv/bin/ is where `make` installs; here, the environment running the tests
        command = command.replace("127.0.0.1:8080", host).replace(".venv/bin/", f"{Path(sys.executable).parent}/")
        done = subprocess.run(["bash", "-c", command], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"README line {line}: {command}\n{done.stdout}\n{done.stderr}"


@pytest.mark.parametrize("info,body,line", [b for b in blocks() if b[0] == "python"],
                         ids=lambda v: f"line{v}" if isinstance(v, int) else None)
def test_python_examples_run(server, tmp_path, info, body, line):
    server.reset()
    script = tmp_path / "example.py"
    script.write_text(body.replace("127.0.0.1:8080", server.url.removeprefix("http://")))
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"README line {line}:\n{done.stdout}\n{done.stderr}"


@pytest.mark.parametrize("info,body,line", [b for b in blocks() if b[0] == "python pytest"],
                         ids=lambda v: f"line{v}" if isinstance(v, int) else None)
def test_pytest_examples_pass_with_the_plugin(tmp_path, info, body, line):
    (tmp_path / "test_readme_example.py").write_text(body)
    env = _env(tmp_path)
    env["MOCKCDR_VENDORS"] = ",".join(available_vendors())
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--mockcdr-validate", str(tmp_path)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"README line {line}:\n{done.stdout}\n{done.stderr}"


@pytest.mark.parametrize("info,body,line", [b for b in blocks() if b[0] == "yaml"],
                         ids=lambda v: f"line{v}" if isinstance(v, int) else None)
def test_yaml_examples_are_valid(tmp_path, info, body, line):
    data = yaml.safe_load(body)
    assert isinstance(data, dict), f"README line {line}: not a YAML mapping"
    if "tenants" in data or set(data) & set(ALL_VENDORS):
        from mockcdr.app import build_runtime

        path = tmp_path / "fixtures.yaml"
        path.write_text(body)
        rt = build_runtime(Settings(vendors=available_vendors(), fixtures=str(path)))
        for key in data.get("tenants", {}):
            assert rt.tenant(key).name == data["tenants"][key]["name"]


def _credentials(section) -> list[str]:
    """Every user name, key and password a vendor fixture section holds (nested anywhere)."""
    names = ("username", "password", "login", "api_key", "email", "token")
    found = []
    if isinstance(section, dict):
        for key, value in section.items():
            if key in names and isinstance(value, str):
                found.append(value)
            else:
                found += _credentials(value)
    elif isinstance(section, list):
        for item in section:
            found += _credentials(item)
    return found


@pytest.mark.parametrize("info,body,line", [b for b in blocks() if b[0] == "yaml"
                                            and set(yaml.safe_load(b[1])) & set(ALL_VENDORS)],
                         ids=lambda v: f"line{v}" if isinstance(v, int) else None)
def test_fixture_credentials_show_up_in_the_serve_banner(tmp_path, info, body, line):
    """What the README promises of its fixtures example: start with it, and the banner lists
    the credentials it defines."""
    data = yaml.safe_load(body)
    path = tmp_path / "my-fixtures.yaml"
    path.write_text(body)
    vendors = [slug for slug in ALL_VENDORS if slug in data and slug in available_vendors()]
    proc = subprocess.Popen([sys.executable, "-m", "mockcdr", "serve", "--port", "0", "--fixtures", str(path),
                             "--vendors", ",".join(vendors)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=_env(tmp_path))
    banner = []
    try:
        for out_line in proc.stdout:
            banner.append(out_line)
            if out_line.startswith("Press Ctrl+C"):
                break
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    text = "".join(banner)
    assert "Press Ctrl+C to stop." in text, f"README line {line}: {err}"
    wanted = [c for slug in vendors for c in _credentials(data[slug])]
    assert wanted, f"README line {line}: the example defines no credentials"
    for credential in wanted:
        assert credential in text, f"README line {line}: {credential!r} is not in the banner:\n{text}"


def test_the_quick_start_is_the_whole_first_hour():
    """Start, stop, a first call to every vendor and the way to the CLI, all in the first section
    (they used to be 280 lines apart)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make run" in quick and "make test" in quick and "Ctrl+C" in quick
    assert ".venv/bin/mockcdr" in quick and ".venv/bin/activate" in quick
    first_calls = next(body for info, body, _, _ in all_blocks() if info == "sh" and body in quick)
    from mockcdr.vendors import load

    for slug in ALL_VENDORS:
        prefixes = load(slug).prefixes
        assert any(f"127.0.0.1:8080{p}" in first_calls for p in prefixes), f"no first call to {slug}"
    assert len(text[: text.index("## Running it")].splitlines()) < 60       # one screen, or about
