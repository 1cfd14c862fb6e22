"""The image and mockcdr.testcontainers for real: built offline, run by podman, driven through
podman's Docker-compatible API socket by Testcontainers (skipped, with the reason, without podman)."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time

import pytest
import requests

import podman_images as pi
from readme_blocks import README, snippets_run_by

REASON = pi.skip_reason()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(REASON is not None, reason=f"no container engine: {REASON}")]
MB = 1_000_000
TC_ENV = {"DOCKER_HOST": "", "TESTCONTAINERS_RYUK_DISABLED": "true", "TESTCONTAINERS_CONNECTION_MODE": "docker_host"}


@pytest.fixture(scope="module")
def image() -> str:
    return pi.project_image()


@pytest.fixture(scope="module")
def docker_host(image):
    """DOCKER_HOST at podman's socket for Testcontainers, without Ryuk (it would be pulled from
    Docker Hub), reaching published ports on this host (the engine is local, even when this
    machine is itself a container); the environment is put back afterwards."""
    from testcontainers.core.config import ConnectionMode, testcontainers_config

    saved = {k: os.environ.get(k) for k in TC_ENV}
    ryuk, mode = testcontainers_config._ryuk_disabled, testcontainers_config.connection_mode_override
    with pi.docker_api() as url:
        os.environ.update({**TC_ENV, "DOCKER_HOST": url})
        testcontainers_config.ryuk_disabled = True
        testcontainers_config.connection_mode_override = ConnectionMode.docker_host
        try:
            yield url
        finally:
            testcontainers_config._ryuk_disabled = ryuk
            testcontainers_config.connection_mode_override = mode
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _size(tag: str) -> int:
    return int(pi.podman("image", "inspect", "--format", "{{.Size}}", tag).stdout)


def test_the_image_adds_at_most_40_mb_to_its_python_base_and_no_pip(image):
    added = _size(image) - _size(pi.BASE_TAG)
    assert 0 < added <= 40 * MB, f"the image adds {added / MB:.1f} MB to its base"
    listing = pi.podman("run", "--rm", "--network=none", "--entrypoint", "sh", image, "-c",
                        "ls /opt/venv/lib/python3*/site-packages; id -u; mockcdr --version").stdout.split()
    assert "mockcdr" in listing and "flask" in listing
    assert not [name for name in listing if name.split("-")[0] in ("pip", "setuptools", "wheel", "pkg_resources")]
    assert "10001" in listing                                   # not root
    from mockcdr import __version__
    assert listing[-1] == __version__


def test_the_healthcheck_is_kept_and_passes(image, docker_host):
    from mockcdr.testcontainers import MockcdrContainer

    # podman keeps it only in the docker format (built with --format docker); its own inspect
    # shows it at the top level (podman 4's Docker API leaves it out of Config)
    inspected = json.loads(pi.podman("image", "inspect", image).stdout)[0]
    assert inspected["ManifestType"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert "/_mockcdr/health" in " ".join(inspected["Healthcheck"]["Test"])
    with MockcdrContainer(image, host_ip="127.0.0.1") as container:
        check = pi.podman("healthcheck", "run", container.get_wrapped_container().id, check=False)
        assert check.returncode == 0, check.stdout + check.stderr


def test_mockcdr_container_serves_every_vendor_and_hands_out_url_and_control(image, docker_host):
    from mockcdr.testcontainers import MockcdrContainer

    with MockcdrContainer(image, seed="tc", vendors=("didww", "yeastar"), clock_start="2026-04-16T12:00:00Z",
                          host_ip="127.0.0.1") as mock:
        assert mock.url.startswith("http://") and mock.url == mock.get_base_url()
        control = mock.control
        info = control.info()
        assert info["seed"] == "tc" and [v["slug"] for v in info["vendors"]] == ["didww", "yeastar"]
        control.freeze_clock("2026-04-16T12:00:00Z")
        headers = {"Api-Key": "didww-test-globex-51a7c9d2", "Content-Type": "application/vnd.api+json"}
        body = {"data": {"type": "exports", "attributes": {"export_type": "cdr_in", "filters": {
            "from": "2026-04-15 00:00:00", "to": "2026-04-16 00:00:00"}}}}
        created = requests.post(f"{mock.url}/v3/exports", json=body, headers=headers, timeout=10)
        assert created.status_code == 201, created.text
        export_id = created.json()["data"]["id"]
        control.advance_clock("PT1M")                  # past Pending and Processing
        shown = requests.get(f"{mock.url}/v3/exports/{export_id}", headers=headers, timeout=10).json()
        assert shown["data"]["attributes"]["status"] == "completed"
        file = requests.get(shown["data"]["attributes"]["url"], headers={"Api-Key": headers["Api-Key"]}, timeout=10)
        assert file.status_code == 200, (shown, file.text)
        rows = gzip.decompress(file.content).decode().splitlines()
        assert rows[0].startswith("Date/Time Start (UTC)") and len(rows) > 1
        password = hashlib.md5(b"acme-fake-api-pass").hexdigest()
        login = requests.post(f"{mock.url}/api/v1.1.0/login", timeout=10,
                              json={"username": "acme-api", "password": password, "port": "8260"}).json()
        assert login["status"] == "Success"
        assert control.get_journal(vendor="yeastar")["entries"][-1]["status"] == 200


def test_fixtures_from_the_host_are_mounted_and_served(image, docker_host):
    from mockcdr.testcontainers import MockcdrContainer

    folder = pi.CACHE / "fixtures-test"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    fixtures = folder / "mine.yaml"
    fixtures.write_text(textwrap.dedent("""\
        tenants:
          mytenant: {name: My Telecom (fake), country: GB, dids: ["442079460999"], extensions: ["100", "101"]}
        yeastar:
          users:
            - {username: mine-api, password: mine-fake-api-pass, tenant: mytenant, sn: "3631A2024000"}
        """))
    fixtures.chmod(0o644)
    with MockcdrContainer(image, vendors="yeastar", fixtures=fixtures, host_ip="127.0.0.1") as mock:
        users = [c["username"] for c in mock.control.info()["vendors"][0]["credentials"]]
        assert users == ["mine-api"]


def test_a_bad_setting_fails_at_once_with_the_containers_own_message(image, docker_host):
    from testcontainers.core.exceptions import ContainerStartException

    from mockcdr.testcontainers import MockcdrContainer

    started = time.monotonic()
    with pytest.raises(ContainerStartException) as failed:
        MockcdrContainer(image, env={"MOCKCDR_SEED": ""}, host_ip="127.0.0.1", startup_timeout=60).start()
    assert time.monotonic() - started < 30
    assert "exited with status 2" in str(failed.value)
    assert "mockcdr: MOCKCDR_SEED: set but empty; give it a value or unset it" in str(failed.value)


def test_docker_stop_is_quick_and_clean(image, docker_host):
    from mockcdr.testcontainers import MockcdrContainer

    mock = MockcdrContainer(image, host_ip="127.0.0.1").start()
    try:
        wrapped = mock.get_wrapped_container()
        started = time.monotonic()
        wrapped.stop(timeout=10)               # SIGTERM, SIGKILL after 10 s
        took = time.monotonic() - started
        wrapped.reload()
        assert wrapped.attrs["State"]["ExitCode"] == 0 and took < 5, (wrapped.attrs["State"], took)
        assert b"Traceback" not in wrapped.logs()
    finally:
        mock.stop()


def _readme_snippets() -> list[str]:
    snippets = snippets_run_by("tests/containers/test_testcontainers.py")
    assert [info for info, _ in snippets] == ["python", "python"]
    return [body for _, body in snippets]


def test_the_readme_example_runs(image, docker_host, capsys):
    code = _readme_snippets()[0]
    assert '"mockcdr:latest"' in code
    exec(compile(code.replace('"mockcdr:latest"', f'"{image}"'), str(README), "exec"), {})
    assert capsys.readouterr().out == "0 exports at 2026-04-16T12:00:00.000Z\n"


def test_the_readme_pytest_example_runs_with_the_fixture(image, docker_host, tmp_path):
    """The README's conftest line and test file, run by pytest with ``--mockcdr-image``."""
    conftest = 'pytest_plugins = ["mockcdr.testcontainers"]'
    assert f"`{conftest}`" in README.read_text()
    (tmp_path / "conftest.py").write_text(conftest + "\n")
    (tmp_path / "test_in_a_container.py").write_text(_readme_snippets()[1])
    env = {**os.environ, **TC_ENV, "DOCKER_HOST": docker_host}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--mockcdr-image", image, str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
