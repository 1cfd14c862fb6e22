"""The README's scale-out commands run as written (ports and folder swapped for free ones); the
compose layout agrees with the configuration render.py makes."""
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from cluster import ROOT, free_port, needs_nginx, render
from readme_blocks import snippets_run_by

BIN = Path(sys.executable).parent


def marked() -> list[str]:
    found = [body for info, body in snippets_run_by("tests/cluster/test_cluster_readme.py") if info == "sh"]
    assert len(found) == 2, "the README's scale-out section has a start block and a use block"
    return found


@needs_nginx
def test_the_readme_starts_a_cluster_and_uses_it(tmp_path):
    start, use = marked()
    swap = {"127.0.0.1:8080": f"127.0.0.1:{free_port()}", "127.0.0.1:8081": f"127.0.0.1:{free_port()}",
            "127.0.0.1:8082": f"127.0.0.1:{free_port()}", "--port 8081": None, "--port 8082": None,
            "/tmp/mockcdr-nginx": str(tmp_path / "nginx")}
    swap["--port 8081"] = "--port " + swap["127.0.0.1:8081"].rsplit(":", 1)[1]
    swap["--port 8082"] = "--port " + swap["127.0.0.1:8082"].rsplit(":", 1)[1]

    def local(line: str) -> str:
        for old, new in swap.items():
            line = line.replace(old, new)
        return line

    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    background: list[subprocess.Popen] = []
    pid_file = tmp_path / "nginx" / "nginx.pid"
    try:
        for line in filter(None, map(str.strip, start.splitlines())):
            line = local(line)
            if line.endswith("&"):
                argv = shlex.split(line[:-1])
                background.append(subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                                   stderr=subprocess.DEVNULL))
                port = argv[argv.index("--port") + 1]
                deadline = time.monotonic() + 30
                while True:
                    try:
                        if requests.get(f"http://127.0.0.1:{port}/_mockcdr/health", timeout=2).ok:
                            break
                    except requests.RequestException:
                        assert time.monotonic() < deadline, f"mockcdr serve --port {port} did not start"
                        time.sleep(0.05)
                continue
            if line.startswith("python "):
                line = f"{sys.executable} {line[len('python '):]}"
            done = subprocess.run(["bash", "-c", line], cwd=ROOT, env=env, capture_output=True, text=True,
                                  timeout=60)
            assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        for line in filter(None, map(str.strip, use.splitlines())):
            done = subprocess.run(["bash", "-c", local(line)], cwd=tmp_path, env=env, capture_output=True,
                                  text=True, timeout=60)
            assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        proxy = "http://" + swap["127.0.0.1:8080"]
        assert requests.get(f"{proxy}/_mockcdr/cluster").json()["status"] == "ok"
    finally:
        if pid_file.exists():
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)    # the nginx this test started
        for proc in background:
            proc.terminate()
            proc.wait(10)


def test_the_compose_layout_matches_the_rendered_configuration():
    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
    services = compose["services"]
    nodes = {name: s["environment"]["MOCKCDR_NODE"] for name, s in services.items() if name.startswith("mockcdr")}
    cluster = services["mockcdr-1"]["environment"]["MOCKCDR_CLUSTER"]
    assert cluster == ",".join(f"{node}=http://{name}:8080" for name, node in sorted(nodes.items()))
    assert all(s["environment"]["MOCKCDR_CLUSTER"] == cluster for n, s in services.items() if n in nodes)
    nginx_ip = services["nginx"]["networks"]["mockcdr"]["ipv4_address"]
    assert all(s["environment"]["MOCKCDR_TRUSTED_PROXIES"] == nginx_ip for n, s in services.items() if n in nodes)
    expected = render.render_http([(node, f"{name}:8080") for name, node in sorted(nodes.items())], "8080")
    assert (ROOT / "deploy" / "nginx" / "compose.conf").read_text() == expected, \
        "deploy/nginx/compose.conf is stale: render it again (see deploy/docker-compose.yml)"
    from mockcdr.settings import from_sources

    for name in nodes:                                   # each service's settings are valid as given
        # as compose interpolates ${VAR:-default} with VAR unset
        env = {k: re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(v)) for k, v in services[name]["environment"].items()}
        settings = from_sources(env=env)
        assert settings.node == nodes[name] and list(settings.cluster) == sorted(nodes.values())


@needs_nginx
@pytest.mark.parametrize("count, prefix", [(1, ""), (3, ""), (2, "/mock/v1")])
def test_rendered_configurations_pass_nginx_t(tmp_path, count, prefix):
    from cluster import NGINX

    nodes = [(f"n{i + 1}", f"127.0.0.1:{9001 + i}") for i in range(count)]
    conf = render.standalone(tmp_path, nodes, f"127.0.0.1:{free_port()}", prefix, daemon=False)
    done = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("args, message", [
    (["--node", "n1"], "NAME=HOST:PORT"),
    (["--node", "a.b=127.0.0.1:1"], "NAME=HOST:PORT"),
    (["--node", "n1=127.0.0.1:1", "--node", "n1=127.0.0.1:2"], "distinct"),
    ([], "at least one"),
    (["--node", "n1=127.0.0.1:1", "--prefix", "/a b"], "prefix"),
])
def test_render_refuses_what_nginx_could_not_route(args, message, capsys):
    assert render.main(args) == 2
    assert message in capsys.readouterr().err
