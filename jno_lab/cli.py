"""The `jno-lab` command line.

Example:
    $ jno-lab lab examples/
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jno-lab", description="jNO Lab: a visual workbench for PINNs in JAX."
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    lab = commands.add_parser("lab", help="serve JupyterLab on 127.0.0.1 with a workbench open")
    lab.add_argument(
        "path",
        nargs="?",
        default=".",
        type=Path,
        help="folder to serve (a new workbench opens) or a file to open; default: .",
    )
    lab.add_argument("--port", type=int, default=8888, help="first port to try (default 8888)")
    lab.add_argument(
        "--browser",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="open a web browser (default: only where a display exists)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `jno-lab` command line with `argv` (default: `sys.argv[1:]`)."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__

        print(__version__)
        return 0
    if args.command == "lab":
        from ._lab_server import serve

        try:
            return serve(args.path, port=args.port, browser=args.browser)
        except (FileNotFoundError, RuntimeError, TimeoutError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
