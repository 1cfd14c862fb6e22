"""Render this folder's nginx templates for N ``mockcdr serve`` processes (standard library only).

    python deploy/nginx/render.py --node n1=10.0.0.5:8080 --node n2=10.0.0.6:8080 --listen 8080 \\
        > /etc/nginx/conf.d/mockcdr.conf
    python deploy/nginx/render.py --node n1=127.0.0.1:8081 --node n2=127.0.0.1:8082 \\
        --listen 127.0.0.1:8080 --standalone /tmp/mockcdr-nginx       # then: nginx -p ... -c ...

The first node serves the root URL (the default session). Each node runs with
``--node NAME --cluster n1=http://ADDR,n2=http://ADDR --trusted-proxy <the proxy's address>``.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HTTP_TEMPLATE = HERE / "mockcdr.conf.template"
MAIN_TEMPLATE = HERE / "nginx.conf.template"
_NODE = re.compile(r"[A-Za-z0-9_-]{1,16}")
_PREFIX = re.compile(r"(/[A-Za-z0-9._~-]+)*")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def _fill(template: str, values: dict) -> str:
    def sub(match):
        return str(values[match.group(1)])
    return _PLACEHOLDER.sub(sub, template)


def parse_nodes(items) -> list[tuple[str, str]]:
    """``["n1=127.0.0.1:8081", ...]`` -> ``[("n1", "127.0.0.1:8081"), ...]``, checked."""
    nodes = []
    for item in items:
        name, sep, address = item.partition("=")
        if not sep or not _NODE.fullmatch(name) or not address or "/" in address:
            raise ValueError(f"--node {item!r}: NAME=HOST:PORT with NAME 1-16 characters of A-Za-z0-9_-")
        nodes.append((name, address))
    if not nodes:
        raise ValueError("at least one --node NAME=HOST:PORT")
    if len({n for n, _ in nodes}) != len(nodes) or len({a for _, a in nodes}) != len(nodes):
        raise ValueError("node names and addresses must be distinct")
    return nodes


def render_http(nodes: list[tuple[str, str]], listen: str = "8080", prefix: str = "",
                keepalive: int = 32) -> str:
    """The http-level configuration: maps, upstreams and the server."""
    prefix = prefix.rstrip("/")
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"prefix {prefix!r}: a path like /mock (letters, digits, . _ ~ -)")
    per_node = max(4, keepalive // len(nodes))
    return _fill(HTTP_TEMPLATE.read_text(), {
        "count": len(nodes),
        "cluster": ",".join(f"{name}=http://{address}" for name, address in nodes),
        "first": nodes[0][0],
        "prefix": prefix,
        "prefix_re": re.escape(prefix),
        "listen": listen,
        "keepalive": keepalive,
        "node_routes": "\n".join(f'    "~^{re.escape(name)}\\."  mockcdr_node_{name};' for name, _ in nodes),
        "hash_servers": "\n".join(f"    server {address} max_fails=0;" for _, address in nodes),
        "node_upstreams": "\n".join(f"upstream mockcdr_node_{name} {{ server {address} max_fails=0; "
                                    f"keepalive {per_node}; }}" for name, address in nodes),
    })


def render_main(run_dir: str | os.PathLike, daemon: bool = True, workers: str = "auto",
                access_log: str = "off", user: str | None = None) -> str:
    """nginx.conf for an nginx of its own in ``run_dir`` (pid, logs, temp files there)."""
    return _fill(MAIN_TEMPLATE.read_text(), {
        "run_dir": str(run_dir), "daemon": "on" if daemon else "off", "workers": workers,
        "access_log": access_log, "user": f"user {user};\n" if user else ""})


def standalone(run_dir: str | os.PathLike, nodes, listen: str, prefix: str = "", daemon: bool = True,
               workers: str = "auto", access_log: str = "off") -> Path:
    """Write nginx.conf and mockcdr.conf into ``run_dir`` (made if missing); returns nginx.conf.
    Run as root, nginx's workers would switch to nobody, who cannot enter a private temp folder:
    they stay the user that starts it."""
    run = Path(run_dir).resolve()
    for sub in ("tmp", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (run / sub).mkdir(parents=True, exist_ok=True)
    user = None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        import grp
        import pwd

        entry = pwd.getpwuid(0)
        user = f"{entry.pw_name} {grp.getgrgid(entry.pw_gid).gr_name}"
    (run / "mockcdr.conf").write_text(render_http(nodes, listen, prefix))
    conf = run / "nginx.conf"
    conf.write_text(render_main(run, daemon=daemon, workers=workers, access_log=access_log, user=user))
    return conf


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--node", action="append", default=[], metavar="NAME=HOST:PORT",
                    help="a mockcdr process, the root URL's first (repeatable)")
    ap.add_argument("--listen", default="8080", help="nginx's listen parameter (default 8080)")
    ap.add_argument("--prefix", default="", help="serve the mock under this path, e.g. /mock")
    ap.add_argument("--standalone", metavar="DIR",
                    help="write nginx.conf and mockcdr.conf into DIR for nginx -p DIR -c DIR/nginx.conf")
    ns = ap.parse_args(argv)
    try:
        nodes = parse_nodes(ns.node)
        if ns.standalone:
            conf = standalone(ns.standalone, nodes, ns.listen, ns.prefix)
            print(f"nginx -p {conf.parent} -c {conf}")
        else:
            sys.stdout.write(render_http(nodes, ns.listen, ns.prefix))
    except ValueError as exc:
        print(f"render.py: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
