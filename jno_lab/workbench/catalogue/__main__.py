"""`python -m jno_lab.workbench.catalogue [ROOT]`: rewrite the files made from the catalogues.

The document schema's geometry part changes with the geometry catalogue, so the
TypeScript types generated from the schema are rewritten too (`typegen`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import typegen
from .snapshots import write_generated_files


def main(argv: list[str]) -> int:
    """Rewrite the generated files under the repository root `argv[0]` (default: here)."""
    root = Path(argv[0] if argv else ".")
    for path in write_generated_files(root):
        print(f"wrote {path}")
    return typegen.main(["--root", str(root)])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
