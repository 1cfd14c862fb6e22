"""mockcdr: a faithful test double of five telecom vendors' CDR-export APIs."""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("mockcdr")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0"

__all__ = ["__version__", "create_app"]


def create_app(*args, **kwargs):
    """Build the Flask app; see mockcdr.app.create_app."""
    from .app import create_app as _create_app

    return _create_app(*args, **kwargs)
