"""The HTTP/1.1 serving layer: one asyncio loop reads and writes every socket, a small thread pool runs the WSGI app.

No socket ever holds a thread: idle and slow clients are parsed and timed out on the loop, a
client that stops reading a download only stops the next chunk from being generated, and an
injected latency holds the response on the loop, not a worker. See ARCHITECTURE.md.
"""
from .listeners import Limits, Listeners

__all__ = ["Limits", "Listeners"]
