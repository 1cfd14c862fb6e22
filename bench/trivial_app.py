"""The ceiling of our stack: a trivial Flask endpoint on waitress, served exactly as mockcdr serves."""
from __future__ import annotations

import logging
import sys

from flask import Flask, Response
from waitress import create_server

# as mockcdr.server does: no "Task queue depth" warning per queued request under load
for _name in ("waitress", "waitress.queue"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def app() -> Flask:
    flask_app = Flask("trivial")

    @flask_app.get("/ping")
    def ping():
        return Response('{"status":"ok"}', content_type="application/json")

    return flask_app


def main(port: int, threads: int = 8) -> None:
    # the arguments mockcdr.server.Servers gives waitress (asyncore_loop_timeout: see LOOP_TIMEOUT there)
    server = create_server(app(), host="127.0.0.1", port=port, threads=threads, ident="mockcdr",
                           clear_untrusted_proxy_headers=True, asyncore_loop_timeout=1)
    server.run()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 8)
