"""``python -m mockcdr``: the same command line as ``mockcdr``."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
