"""Files generated from the catalogues (frontend snapshots, the schema's geometry) are current."""

import json

import pytest

from jno_lab.workbench.catalogue import catalogue_json
from jno_lab.workbench.catalogue.geometry_schema import (
    SCHEMA_PATH,
    primitive_schema,
    with_geometry,
)
from jno_lab.workbench.catalogue.snapshots import (
    REGENERATE,
    generated_files,
    snapshot_text,
    stale_files,
    write_generated_files,
)
from jno_lab.workbench.document import schema


def test_generated_files_are_up_to_date(repo_root):
    stale = [str(p) for p in stale_files(repo_root)]
    assert not stale, (
        f"stale generated files {stale} (a catalogue changed); regenerate them from the "
        f"repository root with: {REGENERATE}"
    )


def test_writing_the_generated_files_gives_what_the_catalogues_say(tmp_path):
    with pytest.raises(FileNotFoundError, match="run this from the repository root"):
        write_generated_files(tmp_path)
    schema_copy = tmp_path / "jno_lab" / "workbench" / "document.schema.json"
    schema_copy.parent.mkdir(parents=True)
    stale_schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    stale_schema["$defs"]["primitive"]["properties"]["type"]["enum"] = ["circle"]
    schema_copy.write_text(json.dumps(stale_schema), encoding="utf-8")
    assert set(generated_files(tmp_path)) == {tmp_path / "src" / "catalogue.json",
                                              tmp_path / "src" / "geometryCatalogue.json",
                                              schema_copy}  # fmt: skip
    assert len(stale_files(tmp_path)) == 3
    write_generated_files(tmp_path)
    assert stale_files(tmp_path) == []
    assert schema_copy.read_text(encoding="utf-8") == SCHEMA_PATH.read_text(encoding="utf-8")
    text = (tmp_path / "src" / "catalogue.json").read_text(encoding="utf-8")
    assert text == snapshot_text()
    assert json.loads(text) == json.loads(json.dumps(catalogue_json()))
    assert text == json.dumps(catalogue_json(), indent=2, sort_keys=True) + "\n"


def test_the_schema_primitive_is_the_geometry_catalogue():
    loaded = schema()
    assert loaded["$defs"]["primitive"] == primitive_schema()
    assert with_geometry(loaded) == loaded
    radius = loaded["$defs"]["primitive"]["properties"]["radius"]
    assert radius["exclusiveMinimum"] == 0
    assert "Circle" in radius["description"]


def test_a_field_of_two_shapes_is_refused(monkeypatch):
    from jno_lab.workbench.catalogue import geometry_primitives as primitives
    from jno_lab.workbench.catalogue.geometry_types import GeometryField

    circle = primitives.Circle
    odd = (GeometryField("x", "number", ("x",), 1.0, doc="a number named like a range"),)
    monkeypatch.setattr(circle, "fields", circle.fields + odd)
    with pytest.raises(ValueError, match="primitive field 'x' of 'circle' has another shape"):
        primitive_schema()
