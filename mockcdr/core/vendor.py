"""The contract between the core and a vendor package: what a vendor declares and provides."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping

from .catalogue import ResponseKinds
from .jobkinds import JobKind

if TYPE_CHECKING:  # pragma: no cover
    from flask import Blueprint, Response

    from .errors import MockError
    from .session import Session
    from .world import World


PACKINGS = ("gzip", "plain")     # how a served file's bytes are packed (Vendor.files)


@dataclass
class FileOut:
    """A file a vendor serves or delivers: a name, a media type and a stream of byte chunks."""
    filename: str
    content_type: str
    chunks: Iterable[bytes]
    headers: dict = field(default_factory=dict)
    compressed: bool = False   # the bytes are gzip (faults may corrupt them)

    def read(self) -> bytes:
        return b"".join(self.chunks)


@dataclass
class GenerateRequest:
    """What ``mockcdr generate <slug>`` asks a vendor for."""
    tenant: str | None                 # a tenant key or vendor credential; None = the first one
    start: datetime
    end: datetime | None               # None with ``limit``: as many days as the limit needs
    limit: int | None = None           # at most this many rows
    format: str | None = None          # a vendor word such as ``cdr_in`` or ``2026-04-16``
    params: dict = field(default_factory=dict)


@dataclass
class Vendor:
    """Everything the core needs to host a vendor. Built by ``mockcdr.vendors.<slug>.VENDOR``.

    - ``blueprint()`` returns a fresh Flask blueprint whose endpoint names are the spec's
      operationIds (the journal and faults name operations by them).
    - ``render_error(err)`` turns any ``MockError`` into the vendor's own response.
    - ``setup(world, section)`` validates the vendor's fixture section (raise ``FixtureError``
      naming the field) and returns the vendor's configuration (kept in ``world.state[slug]``,
      shared by every session, never changed); it declares job kinds with their hooks
      (``world.register_kind``) and record shapes (``world.shape``).
    - ``describe(world, base_url)`` lists base URLs and default credentials for humans.
    - ``tick(session)`` runs scheduled work when the clock moves (must be cheap when idle: keep
      due items in ``session.agenda(slug)``); ``reschedule(session)`` refills that agenda from
      the store after a snapshot restore replaced it.
    - ``generate(session, request)`` returns the ``FileOut`` a download would serve;
      ``generate_params`` and ``generate_formats`` list the ``--param`` keys and ``--format``
      words it understands (``mockcdr generate`` refuses others, naming these).
    - ``render_file(session, params)`` re-creates a delivered file from its recorded params.
    - ``job_file(session, job)`` is the file a job in its kind's success state downloads as
      (what the vendor's own download serves, without its credentials or tokens).
    - ``files`` names the operations that serve a file download, each with its packing:
      ``"gzip"`` (the bytes are gzip: ``truncate`` and ``corrupt_gzip`` faults apply) or
      ``"plain"`` (only ``truncate`` applies). Faults refuse kinds that could never apply.
    - ``response_kinds`` declares the kinds its responses of one status come in (error codes,
      errno values, messages) and reads them off a response, for API coverage.
    """
    slug: str
    title: str
    prefixes: tuple[str, ...]
    blueprint: Callable[[], "Blueprint"]
    render_error: Callable[["MockError"], "Response"]
    setup: Callable[["World", dict], Any]
    describe: Callable[["World", str], dict]
    job_kinds: tuple[JobKind, ...] = ()
    tick: Callable[["Session"], None] | None = None
    reschedule: Callable[["Session"], None] | None = None
    generate: Callable[["Session", GenerateRequest], FileOut] | None = None
    generate_params: tuple[str, ...] = ()
    generate_formats: tuple[str, ...] = ()
    render_file: Callable[["Session", dict], FileOut] | None = None
    response_kinds: ResponseKinds | None = None
    job_file: Callable[["Session", dict], FileOut] | None = None
    spec: str = ""
    files: Mapping[str, str] = field(default_factory=dict)
    _operations: frozenset | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        if not self.spec:
            self.spec = f"{self.slug}.yaml"
        bad = {op: packing for op, packing in self.files.items() if packing not in PACKINGS}
        if bad:
            raise ValueError(f"{self.slug}: files must map operationIds to one of {PACKINGS}: {bad}")

    def operations(self) -> frozenset[str]:
        """The operationIds this vendor serves: its blueprint's endpoint names (computed once)."""
        if self._operations is None:
            from flask import Flask

            bp = self.blueprint()
            probe = Flask(f"mockcdr-probe-{self.slug}")
            probe.register_blueprint(bp)
            self._operations = frozenset(endpoint.split(".", 1)[1] for endpoint in probe.view_functions
                                         if endpoint.startswith(bp.name + "."))
        return self._operations

    def owns(self, path: str) -> bool:
        return any(path == p or path.startswith(p.rstrip("/") + "/") for p in self.prefixes)


def iter_limited(items: Iterable, limit: int | None) -> Iterator:
    if limit is None:
        yield from items
        return
    for i, item in enumerate(items):
        if i >= limit:
            return
        yield item
