"""Write the editor's TypeScript types from their Python sources, so the two cannot drift.

`src/document/types.generated.ts` comes from `document.schema.json`,
`src/protocol.generated.ts` from the TypedDicts of `protocol_messages`. Run
`python -m jno_lab.workbench.typegen` from the repository root after changing
either (`--check` only reports files that differ).

>>> sorted(str(path) for path in generated_files())
['src/document/types.generated.ts', 'src/protocol.generated.ts']
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import protocol, protocol_messages
from .document import VERSION, schema
from .typegen_protocol import protocol_types
from .typegen_schema import document_types
from .typegen_ts import header

COMMAND = "python -m jno_lab.workbench.typegen"
"""The command that rewrites the generated files."""

DOCUMENT_TYPES = Path("src/document/types.generated.ts")
PROTOCOL_TYPES = Path("src/protocol.generated.ts")

PROTOCOL_CONSTANTS = {
    "PROTOCOL_VERSION": (
        protocol.PROTOCOL_VERSION,
        "Protocol version this editor speaks (sent in `hello`).",
    ),
    "COMM_TARGET": (
        protocol.COMM_TARGET,
        "Comm target registered by `jno_lab.workbench.kernel.register()`.",
    ),
    "OPEN_MIME": (protocol.OPEN_MIME, "Display MIME type asking the editor to open a document."),
}


def generated_files() -> dict[Path, str]:
    """Each generated file (relative to the repository root) with its text."""
    source = "jno_lab/workbench/document.schema.json"
    document = "\n".join(header(COMMAND, source)) + "\n" + document_types(schema(), VERSION)
    source = "jno_lab/workbench/protocol_messages.py"
    messages = protocol_types(protocol_messages, protocol.REQUEST_TYPES, PROTOCOL_CONSTANTS)
    return {
        DOCUMENT_TYPES: document,
        PROTOCOL_TYPES: "\n".join(header(COMMAND, source)) + "\n" + messages,
    }


def stale_files(root: Path) -> list[Path]:
    """The generated files under `root` whose text is not what `generated_files` gives."""
    stale = []
    for path, text in generated_files().items():
        target = root / path
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(path)
    return stale


def main(argv: list[str] | None = None) -> int:
    """Write the generated files under `--root` (or, with `--check`, list stale ones)."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository root")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    if not (args.root / "package.json").is_file():
        parser.error(f"{args.root} is not the repository root (no package.json): pass --root")
    if args.check:
        stale = stale_files(args.root)
        for path in stale:
            print(f"{path} is out of date: run `{COMMAND}`", file=sys.stderr)
        return 1 if stale else 0
    for path, text in generated_files().items():
        (args.root / path).write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
