"""The editor's generated TypeScript types match their Python sources (schema and TypedDicts)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any, Literal, NotRequired, TypedDict

import pytest

from jno_lab.workbench import protocol, protocol_messages
from jno_lab.workbench.document import FORMAT, VERSION, schema
from jno_lab.workbench.typegen import COMMAND, generated_files, main, stale_files
from jno_lab.workbench.typegen_protocol import own_fields, ts_type
from jno_lab.workbench.typegen_schema import document_types

REPO = Path(__file__).resolve().parents[2]


def test_committed_files_are_what_the_generator_writes() -> None:
    for path, text in generated_files().items():
        committed = (REPO / path).read_text(encoding="utf-8")
        assert committed == text, f"{path} is out of date: run `{COMMAND}` in the repository root"


def test_constants_come_from_python() -> None:
    files = {path.name: text for path, text in generated_files().items()}
    protocol_ts, types_ts = files["protocol.generated.ts"], files["types.generated.ts"]
    assert f"export const PROTOCOL_VERSION = {protocol.PROTOCOL_VERSION};" in protocol_ts
    assert f"export const COMM_TARGET = '{protocol.COMM_TARGET}';" in protocol_ts
    assert f"export const OPEN_MIME = '{protocol.OPEN_MIME}';" in protocol_ts
    assert f"export const DOCUMENT_FORMAT = '{FORMAT}';" in types_ts
    assert f"export const DOCUMENT_VERSION = {VERSION};" in types_ts


def test_every_request_type_has_request_and_reply_entries() -> None:
    text = generated_files()[Path("src/protocol.generated.ts")]
    requests = text[text.index("export interface IRequests {") :]
    for request_type in protocol.REQUEST_TYPES:
        assert re.search(rf"^  {request_type}: ", requests, re.MULTILINE), request_type
    assert "  validate: { document: IWorkbenchDocument };" in requests
    assert "  stop: IStatusReply;" in requests


def test_every_typeddict_becomes_an_interface_with_its_fields() -> None:
    text = generated_files()[Path("src/protocol.generated.ts")]
    for name, value in vars(protocol_messages).items():
        if isinstance(value, type) and value.__module__ == protocol_messages.__name__:
            if name != value.__name__:
                continue  # an alias (StopReply = StatusReply)
            fields = own_fields(value)
            opening = f"export interface I{name} " if fields else f"export type I{name} = "
            assert opening in text, name
    assert "  nonfinite?: INonFinite | null;" in text
    assert "  state: RunState;" in text


class _Inner(TypedDict):
    a: int


class _Outer(_Inner):
    """Outer record."""

    b: NotRequired[list[_Inner] | None]
    """The inners."""
    c: dict[str, Literal["x", "y"]]
    d: tuple[float, str]


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        (str, "string"),
        (float | None, "number | null"),
        (list[int | None], "(number | null)[]"),
        (dict[str, Any], "Record<string, unknown>"),
        (Literal["a", "b's"], "'a' | 'b\\'s'"),
        (tuple[float, str], "[number, string]"),
        (_Inner, "I_Inner"),
    ],
)
def test_python_types_map_to_typescript(hint: Any, expected: str) -> None:
    assert ts_type(hint, protocol_messages) == expected


def test_a_type_with_no_typescript_form_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match=r"no TypeScript type for the protocol type .*set"):
        ts_type(set[int], protocol_messages)


def test_subclass_fields_docs_and_optional_fields() -> None:
    assert own_fields(_Outer) == [("b", "The inners."), ("c", None), ("d", None)]


def test_schema_refs_enums_tuples_and_recursion() -> None:
    root = copy.deepcopy(schema())
    text = document_types(root, VERSION)
    assert "export type CsgNode = string | ICsgOperation;" in text
    assert "  args: CsgNode[];" in text  # the recursive reference, by name
    assert "  edges?: [Point, Point][];" in text
    assert "  time?: ITimeAxis | null;" in text
    assert "  [key: string]: unknown;" in text  # a schedule's constructor arguments
    assert text.count("export type Point =") == 1  # `point` and `range` share the name


def test_a_schema_description_becomes_the_property_jsdoc() -> None:
    root = copy.deepcopy(schema())
    root["$defs"]["tag"]["properties"]["name"]["description"] = "The tag's name."
    text = document_types(root, VERSION)
    assert "export interface ITag {\n  /** The tag's name. */\n  name: string;" in text


def test_two_differing_locations_of_one_name_are_refused() -> None:
    root = copy.deepcopy(schema())
    root["$defs"]["range"] = {"type": "array", "items": {"type": "string"}}
    with pytest.raises(ValueError, match="both named 'Point'"):
        document_types(root, VERSION)


def test_main_writes_then_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "src" / "document").mkdir(parents=True)
    assert main(["--root", str(tmp_path), "--check"]) == 1
    assert COMMAND in capsys.readouterr().err
    assert main(["--root", str(tmp_path)]) == 0
    assert stale_files(tmp_path) == []
    assert main(["--root", str(tmp_path), "--check"]) == 0


def test_main_refuses_a_folder_that_is_not_the_repository(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--root", str(tmp_path)])
