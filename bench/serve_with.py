"""One candidate HTTP server serving the trivial Flask app or mockcdr's app, for bench_servers.py.

    python serve_with.py SERVER APP PORT      SERVER: waitress | waitress-tuned | cheroot | granian |
                                              mockcdr | mockcdr-asyncio;  APP: trivial | mock

The mock app is built as ``mockcdr serve`` builds it (settings from MOCKCDR_* variables).
"""
from __future__ import annotations

import logging
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

for _name in ("waitress", "waitress.queue"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def build(kind: str):
    if kind == "trivial":
        from trivial_app import app
        return app(), None
    from mockcdr.app import build_sessions, create_app
    from mockcdr.core.ticker import Ticker
    from mockcdr.settings import from_sources
    sessions = build_sessions(from_sources(cli={}))
    Ticker(sessions).start()
    return create_app(sessions=sessions), sessions.default


def granian_target():
    """granian's factory: it builds the app in its worker process."""
    return build(os.environ["SERVE_WITH_APP"])[0]


def main(server: str, kind: str, port: int) -> None:
    if server == "granian":
        from granian import Granian
        os.environ["SERVE_WITH_APP"] = kind
        Granian("serve_with:granian_target", address="127.0.0.1", port=port, interface="wsgi", workers=1,
                factory=True, log_enabled=False).serve()
        return
    app, runtime = build(kind)
    if server in ("waitress", "waitress-tuned"):
        from waitress import create_server
        extra = dict(connection_limit=2000, channel_timeout=30, cleanup_interval=5,
                     outbuf_high_watermark=1 << 20) if server == "waitress-tuned" else {}
        create_server(app, host="127.0.0.1", port=port, threads=8, ident="mockcdr",
                      clear_untrusted_proxy_headers=True, asyncore_loop_timeout=1, **extra).run()
    elif server == "cheroot":
        from cheroot import wsgi
        srv = wsgi.Server(("127.0.0.1", port), app, numthreads=8, timeout=30)
        srv.start()
    elif server.startswith("mockcdr"):
        from mockcdr.serving import Listeners
        if server == "mockcdr-asyncio":
            import mockcdr.serving.listeners as lst
            import asyncio
            lst.new_loop = asyncio.new_event_loop
        listeners = Listeners(threads=8)
        listeners.add("main", app, "127.0.0.1", port)
        listeners.start()
        threading.Event().wait()
    else:
        raise SystemExit(f"unknown server {server}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
