"""The `jno-lab` command line.

Commands: `lab` (serve JupyterLab with a workbench), `run` (train a document
headless and write its results), `validate` and `export` (print the script).

Exit codes: 0 success; 1 an invalid document, untrusted code (see `--trust`),
a failed run or one that went non-finite; 2 a file that cannot be read or
parsed, an output folder that cannot be written, or a usage error.

Example:
    $ jno-lab lab examples/
    $ jno-lab run examples/heat_1d.jnolab --epochs 500
    $ jno-lab export examples/poisson.jnolab -o poisson.py
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

    run = commands.add_parser(
        "run",
        help="train a document headless; write statistics.json, loss.png and field.png",
    )
    run.add_argument("file", type=Path, help="the .jnolab document")
    run.add_argument(
        "--epochs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="train every phase N steps instead of the document's epochs",
    )
    run.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder (default: ./jno-lab-run/<file stem>/)",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.add_argument(
        "--trust",
        action="store_true",
        help="run the document's code (custom functions marked as code): read it first",
    )
    run.add_argument(
        "--traceback", action="store_true", help="print the full traceback when the run fails"
    )

    check = commands.add_parser("validate", help="list a document's problems (exit 1 if any)")
    check.add_argument("file", type=Path, help="the .jnolab document")

    export = commands.add_parser("export", help="print the document as a Python script")
    export.add_argument("file", type=Path, help="the .jnolab document")
    export.add_argument(
        "-o", "--output", type=Path, default=None, metavar="FILE", help="write the script here"
    )
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def _validate(args: argparse.Namespace) -> int:
    from .workbench.headless import format_problem, read_document
    from .workbench.validate import validate

    problems = validate(read_document(args.file))
    for p in problems:
        print(format_problem(p))
    if problems:
        return 1
    print("valid")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .workbench.headless import check_document, read_document
    from .workbench.lowering import lower

    document = read_document(args.file)
    check_document(document, str(args.file))
    source = lower(document).to_source()
    if args.output is None:
        sys.stdout.write(source)
        return 0
    try:
        args.output.write_text(source, encoding="utf-8")
    except OSError as err:
        _error(f"cannot write {args.output}: {err.strerror or err}")
        return 1
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _run(args: argparse.Namespace) -> int:
    from .workbench.headless import DocumentError, run_document
    from .workbench.lowering import ExecutionError

    try:
        result = run_document(
            args.file,
            epochs=args.epochs,
            out=args.out,
            progress=not args.no_progress,
            trusted=args.trust,
        )
    except DocumentError:
        raise  # reported by main()
    except ExecutionError as err:
        if args.traceback:
            print(err.details, file=sys.stderr)
        _error(str(err))
        return 1
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as err:
        if args.traceback:
            raise
        _error(f"the run failed: {type(err).__name__}: {err} (--traceback shows where)")
        return 1
    record = result.statistics
    loss = record["total_loss"]
    shown = "n/a" if loss is None else f"{loss:.4e}"
    print(
        f"{record['epochs']} steps in {record['training_time']:.1f} s, final loss {shown}; "
        f"wrote {', '.join(str(p) for p in result.files)}"
    )
    nonfinite = record.get("nonfinite")
    if nonfinite:
        where = ", ".join(nonfinite.get("constraints") or []) or nonfinite.get("where", "")
        _error(
            f"training went non-finite at step {nonfinite.get('step')} ({where}) and stopped "
            "with the last finite parameters; lower the learning rate or rescale the problem"
        )
        return 1
    return 0


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
    handlers = {"run": _run, "validate": _validate, "export": _export}
    if args.command in handlers:
        from .workbench.headless import DocumentError

        try:
            return handlers[args.command](args)
        except DocumentError as err:
            _error(str(err))
            return err.exit_code
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
