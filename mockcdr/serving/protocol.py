"""One HTTP/1.1 connection on the loop: parse with httptools, dispatch to a worker, write with flow control."""
from __future__ import annotations

import socket
import struct
from collections import deque
import httptools

from . import wsgi
from .framing import Request, error_response, response_head

class HttpProtocol:
    """asyncio Protocol of one client connection (see ``Listeners`` for the shared parts)."""

    def __init__(self, site):
        self.site = site            # the listener: app, limits, loop, workers, connections
        self.loop = site.loop
        self.transport = None
        self.parser = httptools.HttpRequestParser(self)
        self.parsing: Request | None = None
        self.head_bytes = 0
        self.pending: deque[Request] = deque()
        self.current: Request | None = None
        self.closing = False
        self.refused = False        # a body over max_body: drain and close after the answer
        self.draining = False
        self.lost = False
        self.paused_writing = False
        self.paused_reading = False
        self.last_io = self.loop.time()
        self.head_started = None
        self.server_addr = ("", 0)
        self.client = None

    # -- asyncio callbacks --------------------------------------------------------------------
    def connection_made(self, transport):
        self.transport = transport
        self.site.connections.add(self)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:                    # a fixed send buffer: a client that stops reading stops its
                                    # download within send_buffer bytes (no autotuning to megabytes)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.site.limits.send_buffer)
                # asyncio's own loop sets no TCP_NODELAY on accepted sockets (their proto is 0):
                # a response's last segment would wait for the client's delayed ACK (~40 ms)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        sock = transport.get_extra_info("sockname")
        self.server_addr = (sock[0], sock[1]) if sock else ("", 0)
        peer = transport.get_extra_info("peername")
        self.client = (peer[0], peer[1]) if peer else None
        if self.site.stopping:
            self.closing = True
            transport.close()

    def connection_lost(self, exc):
        self.lost = True
        self.site.connections.discard(self)
        current, self.current = self.current, None
        if current is not None and current.result is not None and not current.result.done:
            self.site.streamers.submit(wsgi.discard, current.result)
        self.pending.clear()
        self.site.changed()

    def data_received(self, data):
        self.last_io = self.loop.time()
        if self.draining:
            return                  # the rest of a refused body: read and dropped, never kept
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self.reply_error(400, "upgrades are not supported")
        except httptools.HttpParserError as exc:
            if not self.closing:
                status = 431 if self.head_bytes > self.site.limits.max_head else 400
                self.reply_error(status, f"malformed request: {exc}")

    def eof_received(self):
        if self.draining or (self.current is None and not self.pending):
            return False            # nothing to answer: close
        self.closing = True
        return True                 # half-closed: answer what was asked, then close

    def pause_writing(self):
        self.paused_writing = True

    def resume_writing(self):
        self.paused_writing = False
        self.last_io = self.loop.time()
        req = self.current
        if req is not None and req.result is not None and req.head_sent and not req.result.done:
            self.site.streamers.submit(self._pull, req)

    # -- httptools callbacks ------------------------------------------------------------------
    def on_message_begin(self):
        self.parsing = Request()
        self.head_bytes = 0
        self.head_started = self.loop.time()

    def on_url(self, url):
        self.parsing.target += url
        self._count(len(url))

    def on_header(self, name, value):
        self.parsing.headers.append((name, value))
        self._count(len(name) + len(value) + 4)

    def _count(self, n):
        self.head_bytes += n
        if self.head_bytes > self.site.limits.max_head:
            raise httptools.HttpParserError("request head too large")

    def on_headers_complete(self):
        req, parser = self.parsing, self.parser
        self.head_started = None
        req.method = parser.get_method().decode("latin-1")
        req.version = parser.get_http_version()
        req.keep_alive = parser.should_keep_alive()
        limits = self.site.limits
        larger = limits.body_limit(req.method, req.target) if limits.body_limit is not None else None
        limit = req.limit = larger or limits.max_body
        for name, value in req.headers:
            lname = name.lower()
            if lname == b"content-length":
                try:
                    req.declared = int(value)
                except ValueError:
                    req.declared = None
                if req.declared is not None and req.declared > limit:
                    self._refuse_body(req)
            elif lname == b"transfer-encoding" and b"chunked" in value.lower():
                req.chunked = True
            elif lname == b"expect" and value.lower() == b"100-continue":
                req.expect = True
        if req.expect and not req.too_large and req.version == "1.1":
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if req.too_large:
            self._enqueue(req)

    def on_body(self, body):
        req = self.parsing
        if req is None or req.too_large:
            return
        req.body += body
        if len(req.body) > req.limit:
            self._refuse_body(req)
            self._enqueue(req)

    def on_message_complete(self):
        req, self.parsing = self.parsing, None
        if req is not None and not req.too_large:
            if not req.keep_alive:
                self._pause_reading()
            self._enqueue(req)

    # -- serving ------------------------------------------------------------------------------
    def _drain(self) -> None:
        """After the 413 of a refused body: end our side, then drop what the client still sends
        for up to two seconds, so it reads the answer instead of a reset."""
        self.draining = True
        self.transport.write_eof()
        if self.paused_reading:
            self.paused_reading = False
            self.transport.resume_reading()
        self.loop.call_later(2.0, self.transport.close)

    def _refuse_body(self, req: Request) -> None:
        """A body over max_body is never read: the app answers 413 (in the vendor's envelope)
        from the declared length, and the connection closes after that answer."""
        self.refused = True
        req.too_large = True
        req.keep_alive = False
        self._pause_reading()
        self.parsing = None

    def _pause_reading(self):
        if not self.paused_reading and self.transport is not None:
            self.paused_reading = True
            self.transport.pause_reading()

    def _enqueue(self, req: Request) -> None:
        self.pending.append(req)
        if self.current is None:
            self._next()
        elif len(self.pending) > 4:     # a pipelining client waits for answers before it sends more
            self._pause_reading()

    def _next(self) -> None:
        if self.lost:
            return
        if not self.pending:
            if self.refused and not self.site.stopping and self.transport.can_write_eof():
                self._drain()
            elif self.closing or self.site.stopping:
                self.transport.close()
            elif self.paused_reading:
                self.paused_reading = False
                self.transport.resume_reading()
            self.last_io = self.loop.time()
            return
        req = self.current = self.pending.popleft()
        collector = self.site.owner.collector
        if collector is not None:
            collector.request()
        if req.too_large:
            body, length = bytes(req.body[: req.limit + 1]), \
                str(req.declared if req.declared is not None else len(req.body))
        else:
            body, length = bytes(req.body), None
        environ = wsgi.build_environ(req.method, req.target, req.version, req.headers, body,
                                     self.server_addr, self.client, length)
        environ["mockcdr.defer"] = wsgi.Deferrer(self.loop, req)
        req.result = wsgi.Result()
        self.site.workers.submit(self._call, environ, req)

    def _call(self, environ, req):           # worker thread
        wsgi.call_app(self.site.app, environ, req.result)
        self.loop.call_soon_threadsafe(self._respond, req)

    def _pull(self, req):                    # worker thread
        wsgi.pull(req.result)
        self.loop.call_soon_threadsafe(self._write_more, req)

    def _respond(self, req: Request) -> None:
        if req is not self.current or self.lost:
            if req.result is not None and not req.result.done:
                wsgi.discard(req.result)
            return
        if req.hold_until:
            now, cancel = self.loop.time(), req.hold_cancel
            if req.hold_until > now and not (cancel is not None and cancel.is_set()):
                # with a cancel event (the fault may be removed), look again every 50 ms
                self.loop.call_at(req.hold_until if cancel is None else min(req.hold_until, now + 0.05),
                                  self._respond, req)
                return
            req.hold_until = 0.0
        res = req.result
        if res.dropped and res.status is None:      # a drop fault before the view: no response at all
            self._abort()
            return
        if res.status is None or (res.failed and not res.chunks):
            self.reply_error(500, "Internal Server Error")
            return
        head = response_head(req, res, closing=self.closing or self.site.stopping)
        req.head_sent = True
        if req.method == "HEAD" and not res.done:      # a stream's head alone: never generate it
            self.site.streamers.submit(wsgi.discard, res)
            res.chunks, res.done = [], True
        if res.done or res.chunks:
            self._write_more(req, head)
        else:
            self.transport.write(head)
            self.site.streamers.submit(self._pull, req)

    def _write_more(self, req: Request, head: bytes = b"") -> None:
        if req is not self.current or self.lost:
            return
        res = req.result
        self.last_io = self.loop.time()
        chunks, res.chunks = res.chunks, []
        if req.method == "HEAD":
            chunks = []
        elif req.chunked_out:
            chunks = [b"%x\r\n%s\r\n" % (len(c), c) for c in chunks]
        if head:
            chunks.insert(0, head)
        if chunks:      # one write, one segment for a small response
            self.transport.write(chunks[0] if len(chunks) == 1 else b"".join(chunks))
        if not res.done:
            if not self.paused_writing:
                self.site.streamers.submit(self._pull, req)
            return
        if res.dropped or res.failed:       # cut mid-stream: what was written goes out, then FIN
            self.closing = True
            self.current = None
            self.pending.clear()
            self.transport.close()
            return
        if req.chunked_out:
            self.transport.write(b"0\r\n\r\n")
        self.current = None
        if not req.keep_alive:
            self.closing = True
        self._next()

    # -- errors and closing -------------------------------------------------------------------
    def reply_error(self, status: int, detail: str) -> None:
        """A plain-text error from the server itself (malformed request, timeout), then close."""
        self.closing = True
        self.parsing = None
        if self.lost:
            return
        if self.current is not None and self.current.head_sent:
            self._abort()
            return
        self.transport.write(error_response(status, detail))
        self.current = None
        self.pending.clear()
        self.transport.close()

    def _abort(self) -> None:
        """Close at once: no response (a drop fault), or the rest of one cut off."""
        self.closing = True
        self.current = None
        self.pending.clear()
        if not self.lost:
            self.transport.abort()

    def _reset(self) -> None:
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        self._abort()

    def expire(self, now: float) -> None:
        """Called by the listener's sweeper: enforce the head and idle timeouts."""
        limits = self.site.limits
        if self.head_started is not None and now - self.head_started > limits.header_timeout:
            if self.current is None and not self.pending:
                self.reply_error(408, "request head not received in time")
            else:
                self._abort()
        elif now - self.last_io > limits.idle_timeout:
            if self.current is None and not self.pending:
                if self.parsing is not None:
                    self.reply_error(408, "request body not received in time")
                else:
                    self.closing = True
                    self.transport.close()      # idle keep-alive connection
            elif self.paused_writing:           # a client that stopped reading: reset, so the
                self._reset()                   # kernel drops the bytes it still holds for it

    def shutdown(self) -> None:
        """Stopping: an idle connection closes now, a busy one after its response."""
        self.closing = True
        if self.current is None and not self.pending and not self.lost:
            self.transport.close()

