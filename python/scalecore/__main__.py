"""``python -m scalecore`` and the ``scalecore`` console script: the native command line's
``lint``, ``simulate`` and ``rules``, with the same options, output and exit status."""

from __future__ import annotations

import sys
from typing import List, Optional

from . import _native


def main(argv: Optional[List[str]] = None) -> int:
    """Runs ``scalecore`` with ``argv`` (default: this process's arguments); returns the exit
    status: 0 fine, 1 findings (or unmet expectations), 2 could not run, 130 interrupted."""
    args = sys.argv[1:] if argv is None else argv
    # The native code writes to the process's standard output: what Python buffered goes first.
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        return int(_native.cli(["scalecore", *args]))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
