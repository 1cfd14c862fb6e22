"""mockcdr: a faithful test double of five telecom vendors' CDR-export APIs."""

__version__ = "0.1.0"   # the one place the version is written (pyproject.toml reads it)

__all__ = ["__version__", "create_app"]


def create_app(*args, **kwargs):
    """Build the Flask app; see mockcdr.app.create_app."""
    from .app import create_app as _create_app

    return _create_app(*args, **kwargs)
