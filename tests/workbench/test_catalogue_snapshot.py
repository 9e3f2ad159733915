"""The frontend's catalogue snapshot (`src/catalogue.json`) matches the Python catalogue."""

import json

from jno_lab.workbench.catalogue import catalogue_json
from jno_lab.workbench.headless import snapshot_text, write_snapshot

REGENERATE = (
    'python -c "from jno_lab.workbench.headless import write_snapshot; '
    "write_snapshot('src/catalogue.json')\""
)


def test_snapshot_is_up_to_date(repo_root):
    path = repo_root / "src" / "catalogue.json"
    assert path.is_file(), f"src/catalogue.json is missing; regenerate it with: {REGENERATE}"
    stale = path.read_text(encoding="utf-8") != snapshot_text()
    assert not stale, (
        "src/catalogue.json is stale (the node catalogue changed); "
        f"regenerate it from the repository root with: {REGENERATE}"
    )


def test_write_snapshot_writes_the_sorted_catalogue(tmp_path):
    target = tmp_path / "catalogue.json"
    write_snapshot(target)
    text = target.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert json.loads(text) == json.loads(json.dumps(catalogue_json()))
    assert text == json.dumps(catalogue_json(), indent=2, sort_keys=True) + "\n"
