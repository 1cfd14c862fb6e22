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
        assert "vendor_snippet(" in text or "readme_blocks import" in text, \
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
    for command in commands(body):
        done = subprocess.run(["bash", "-c", command.replace("127.0.0.1:8080", host)], cwd=tmp_path,
                              env=_env(tmp_path), capture_output=True, text=True, timeout=60)
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
