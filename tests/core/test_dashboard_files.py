"""The dashboard's files: served from the package at /_mockcdr/ui/ (and under a session), nothing from elsewhere."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from mockcdr import dashboard

FILES = Path(dashboard.__file__).parent


def shipped() -> list[str]:
    return sorted(p.name for p in FILES.iterdir() if p.suffix in (".html", ".css", ".js"))


def referenced() -> set[str]:
    """Every file the page loads: the index's script and style sheet, and every module import."""
    names = set(re.findall(r'(?:src|href)="([a-z0-9_-]+\.(?:js|css))"', (FILES / "index.html").read_text()))
    for js in FILES.glob("*.js"):
        names |= set(re.findall(r'from "\./([a-z0-9_-]+\.js)"', js.read_text()))
    return names


@pytest.fixture
def client(toy_app):
    return toy_app.test_client()


def test_the_page_and_every_file_it_loads_are_served_with_their_types(client):
    page = client.get("/_mockcdr/ui/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert page.data == (FILES / "index.html").read_bytes()
    loads = referenced()
    assert {"dashboard.js", "dashboard.css", "api.js", "dom.js"} <= loads
    assert loads | {"index.html"} == set(shipped())          # nothing shipped unused, nothing missing
    for name in sorted(loads):
        resp = client.get(f"/_mockcdr/ui/{name}")
        assert resp.status_code == 200, name
        assert resp.mimetype == ("text/javascript" if name.endswith(".js") else "text/css")
        assert resp.data == (FILES / name).read_bytes()


def test_nothing_is_loaded_from_elsewhere():
    csp = dashboard.CSP
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
    for name in shipped():
        text = (FILES / name).read_text()
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", text), name      # no CDN, no absolute URL
        assert "innerHTML" not in text and "eval(" not in text, name                  # data is never markup
    html = (FILES / "index.html").read_text()
    assert "<script>" not in html and "style=" not in html                          # nothing inline for the CSP to refuse


def test_headers_conditional_requests_and_the_redirect(client):
    page = client.get("/_mockcdr/ui/")
    assert page.headers["Content-Security-Policy"] == dashboard.CSP
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["Cache-Control"] == "no-cache"
    again = client.get("/_mockcdr/ui/", headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    moved = client.get("/_mockcdr/ui")
    assert moved.status_code == 308 and moved.headers["Location"] == "ui/"      # relative: prefixes survive
    assert client.head("/_mockcdr/ui/dashboard.js").status_code == 200


@pytest.mark.parametrize("name", ["nope.js", "__init__.py", "index.htm", "dashboard.js.map", ".hidden.js"])
def test_anything_else_is_a_404_in_the_control_apis_shape(client, name):
    resp = client.get(f"/_mockcdr/ui/{name}")
    assert resp.status_code == 404
    assert resp.json["error"] == {"kind": "not_found", "message": f"the dashboard has no file {name!r}"}


@pytest.mark.parametrize("path", ["..%2f__init__.py", "../__init__.py", "%2e%2e/app.py", "x/../../app.py"])
def test_no_path_leads_out_of_the_dashboards_folder(client, path):
    resp = client.get(f"/_mockcdr/ui/{path}")
    assert resp.status_code == 404 and b"import" not in resp.data


def test_a_sessions_page_is_served_under_its_prefix(client, toy_app):
    toy_app.extensions["mockcdr.sessions"].create("mine", {})
    page = client.get("/_s/mine/_mockcdr/ui/")
    assert page.status_code == 200 and b'src="dashboard.js"' in page.data
    assert client.get("/_s/mine/_mockcdr/ui").headers["Location"] == "ui/"
    assert client.get("/_s/nobody/_mockcdr/ui/").status_code == 404
