"""WSGI on worker threads: the environ of a parsed request, the app call, and a response's chunks pulled a batch at a time."""
from __future__ import annotations

import io
import logging
import queue
import sys
import threading
from urllib.parse import unquote_to_bytes

from ..core.errors import DropConnection

log = logging.getLogger("mockcdr.serving")

BATCH = 64 * 1024       # bytes pulled from a response per trip to a worker (the first trip too)


class Workers:
    """A fixed pool of daemon threads running work items in order of arrival.

    Daemon threads, so a view stuck in a long computation cannot keep the process from exiting
    after a second SIGTERM; items are plain callables (no futures: results go back to the loop
    through ``call_soon_threadsafe``). The server keeps two pools: one for requests, and a small
    one pulling the next chunks of streamed downloads, so fifty downloads being generated never
    put a health check in a queue behind them.
    """

    def __init__(self, threads: int, name: str = "mockcdr-worker"):
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._run, name=f"{name}-{i}", daemon=True)
                         for i in range(threads)]
        for t in self._threads:
            t.start()

    def submit(self, fn, *args) -> None:
        self._queue.put((fn, args))

    def _run(self) -> None:
        get = self._queue.get
        while True:
            item = get()
            if item is None:
                return
            fn, args = item
            try:
                fn(*args)
            except BaseException:   # a work item reports its own errors; never lose the thread
                log.exception("serving work item failed")

    def stop(self, timeout: float = 1.0) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for t in self._threads:
            t.join(timeout)


class Result:
    """What a worker hands back to the loop: the status line, headers and the next chunks."""

    __slots__ = ("status", "headers", "chunks", "done", "dropped", "failed", "iterator", "close")

    def __init__(self):
        self.status = None          # "200 OK"
        self.headers = None         # [(name, value)]
        self.chunks: list[bytes] = []
        self.done = False           # the body is complete (iterator exhausted and closed)
        self.dropped = False        # DropConnection: close without (the rest of) a response
        self.failed = False         # an unexpected exception: 500 before the head, a cut after
        self.iterator = None
        self.close = None


def call_app(app, environ: dict, result: Result) -> Result:
    """Run the app and pull its first batch of bytes (on a worker thread)."""
    def start_response(status, headers, exc_info=None):
        if exc_info is not None and result.chunks:
            raise exc_info[1].with_traceback(exc_info[2])
        result.status = status
        result.headers = headers
        return _no_write

    try:
        body = app(environ, start_response)
    except DropConnection:
        result.dropped = True
        return result
    except BaseException:
        log.exception("the app raised serving %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
        result.failed = True
        return result
    result.close = getattr(body, "close", None)
    if type(body) is list:      # the whole body at once
        result.chunks = [c for c in body if c]
        result.done = True
        _close(result)
        return result
    result.iterator = iter(body)
    if result.headers is None:      # a generator app starts the response with its first chunk
        return pull(result)
    for name, _ in result.headers:
        if name.lower() == "content-length":     # a body of known size (JSON): pulled right here
            return pull(result)
    return result       # a stream (a download): its chunks are pulled by the streaming threads


def pull(result: Result) -> Result:
    """Pull up to BATCH bytes more from a streamed body (on a worker thread)."""
    chunks = result.chunks = []
    size = 0
    try:
        for chunk in result.iterator:
            if chunk:
                chunks.append(chunk)
                size += len(chunk)
                if size >= BATCH:
                    return result
    except DropConnection:
        result.dropped = True
    except BaseException:
        log.exception("a response body failed mid-stream")
        result.failed = True
    result.done = True
    _close(result)
    return result


def discard(result: Result) -> None:
    """The client went away: close the body without pulling it (on a worker thread)."""
    _close(result)


def _close(result: Result) -> None:
    close, result.close = result.close, None
    result.iterator = None
    if close is not None:
        try:
            close()
        except DropConnection:
            pass
        except BaseException:
            log.exception("closing a response body failed")


def _no_write(data: bytes) -> None:
    raise NotImplementedError("mockcdr's server supports only iterable WSGI responses")


BASE_ENVIRON = {
    "SCRIPT_NAME": "",
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "http",
    "wsgi.errors": sys.stderr,
    "wsgi.multithread": True,
    "wsgi.multiprocess": False,
    "wsgi.run_once": False,
    "wsgi.input_terminated": True,
    "SERVER_SOFTWARE": "mockcdr",
}


def build_environ(method: str, target: bytes, version: str, headers: list[tuple[bytes, bytes]],
                  body: bytes, server: tuple[str, int], client: tuple[str, int] | None,
                  content_length: str | None = None) -> dict:
    """The environ of one request (PEP 3333: native strings decoded as latin-1)."""
    if target[:1] != b"/" and b"://" in target[:16]:        # absolute-form: keep path and query
        rest = target.split(b"://", 1)[1]
        slash = rest.find(b"/")
        target = rest[slash:] if slash >= 0 else b"/"
    path, _, query = target.partition(b"?")
    path = path.partition(b"#")[0]
    environ = dict(BASE_ENVIRON)
    environ["REQUEST_METHOD"] = method
    environ["PATH_INFO"] = unquote_to_bytes(path).decode("latin-1") if b"%" in path else path.decode("latin-1")
    environ["QUERY_STRING"] = query.decode("latin-1")
    environ["RAW_URI"] = environ["REQUEST_URI"] = target.decode("latin-1")
    environ["SERVER_PROTOCOL"] = "HTTP/" + version
    environ["SERVER_NAME"], environ["SERVER_PORT"] = server[0], str(server[1])
    if client:
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = client[0], str(client[1])
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1").upper()
        if "_" in name:         # as waitress: X_Auth must not pass itself off as X-Auth
            continue
        value = raw_value.decode("latin-1")
        if name == "CONTENT_TYPE" or name == "CONTENT-TYPE":
            environ["CONTENT_TYPE"] = value
            continue
        if name == "CONTENT-LENGTH" or name == "TRANSFER-ENCODING":
            continue
        key = "HTTP_" + name.replace("-", "_")
        environ[key] = environ[key] + "," + value if key in environ else value
    environ["CONTENT_LENGTH"] = content_length if content_length is not None else str(len(body))
    environ["wsgi.input"] = io.BytesIO(body)
    return environ


class Deferrer:
    """environ["mockcdr.defer"]: hold this response ``seconds`` on the loop instead of a thread."""

    __slots__ = ("loop", "req")

    def __init__(self, loop, req):
        self.loop, self.req = loop, req

    def __call__(self, seconds: float, cancel=None) -> None:
        self.req.hold_until = self.loop.time() + seconds
        self.req.hold_cancel = cancel
