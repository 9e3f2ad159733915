"""Saved runs as data: one zip file holding `manifest.json` and numpy arrays.

Solvers (`crux.save`), training histories (`statistics.save`) and emulator
histories are written in this format. Nothing in such a file can run code:
the manifest is strict JSON (no NaN or Infinity tokens), every array is an
uncompressed `.npy` entry read without pickle, its header checked against the
manifest and the entry size before anything is allocated, and all structure is
rebuilt by the reader from known kinds. Files are written to a temporary name
and renamed, so a crash never leaves a truncated file under the target name.

Older versions pickled these objects; `sniff` recognises a pickle by its first
bytes so that readers can refuse it unless the caller trusts the file.

Example:
    >>> import os, tempfile, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "run.jno")
    >>> arrays = ArrayWriter()
    >>> write(path, {"format": "demo", "version": 1, "x": encode([1.5, np.arange(3)], arrays)},
    ...       arrays)
    >>> with Archive(path, "demo.load", "demo") as archive:
    ...     decode(archive.manifest["x"], archive, "x")
    [1.5, array([0, 1, 2])]
"""

from __future__ import annotations

import json
import math
import os
import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np

from .archive_values import (
    MAX_DEPTH,
    Bad,
    as_bool,
    as_dict,
    as_float,
    as_int,
    as_list,
    as_str,
    decode,
    encode,
    field,
    optional,
)

MANIFEST = "manifest.json"
ARRAY_DIR = "arrays/"

# dtype name -> the dtype of the raw `.npy` data (ml_dtypes types are stored as raw bits)
_PLAIN = (
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
)
DTYPES: dict[str, str] = {name: name for name in _PLAIN}
DTYPES["bfloat16"] = "uint16"


class Refused(ValueError):
    """A file the reader will not open without the caller's consent (a pickle)."""


def sniff(path: Path) -> str:
    """What `path` holds by its first bytes: "archive", "pickle" or "other".

    Only the magic bytes are read: a zip archive starts with the bytes "PK", 3, 4
    (or "PK", 5, 6 when empty), a pickle of protocol 2 to 5 with 0x80 and the
    protocol number.
    """
    with path.open("rb") as f:
        head = f.read(4)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "archive"
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= pickle.HIGHEST_PROTOCOL:
        return "pickle"
    return "other"


def pickle_refusal(who: str, path: Path) -> Refused:
    """The error for an old pickle file read without `allow_pickle=True`."""
    return Refused(
        f"{who}: {str(path)!r} is a pickle file (the format of older jno_lab versions). Reading "
        "a pickle can run any code it contains, so it is refused. If you trust this file, read "
        f"it with {who}({str(path)!r}, allow_pickle=True) and save it again: the new file "
        "holds data only"
    )


def read_pickle(path: Path) -> Any:
    """Unpickle `path`: only for callers that passed `allow_pickle=True` (it can run code)."""
    with path.open("rb") as f:
        return pickle.load(f)  # the caller trusts this file explicitly


def source_path(path: Any, who: str) -> Path:
    """`path` as an existing file, or a clear error."""
    if not isinstance(path, str | os.PathLike) or not str(path):
        raise TypeError(f"{who}(path): give a file path, got {path!r}")
    source = Path(path).expanduser()
    if not source.is_file():
        raise FileNotFoundError(f"{who}: no file {str(path)!r}")
    return source


# -- writing ----------------------------------------------------------------------------
class ArrayWriter:
    """Arrays collected for one archive; the same array object is stored once."""

    def __init__(self) -> None:
        self.arrays: list[np.ndarray] = []
        self._seen: dict[int, tuple[Any, int]] = {}

    def add(self, value: Any) -> dict[str, int]:
        """Store `value` (numpy, JAX or anything `np.asarray` takes); returns its reference."""
        known = self._seen.get(id(value))
        if known is not None and known[0] is value:
            return {"$array": known[1]}
        array = np.asarray(value)
        if array.dtype.name not in DTYPES:
            raise TypeError(
                f"arrays of dtype {array.dtype} cannot be saved; supported: {', '.join(DTYPES)}"
            )
        index = len(self.arrays)
        self.arrays.append(array)
        self._seen[id(value)] = (value, index)
        return {"$array": index}


def write(path: Any, manifest: dict[str, Any], arrays: ArrayWriter, who: str = "save") -> None:
    """Write `manifest` and `arrays` to `path` atomically (parent folders are created)."""
    if not isinstance(path, str | os.PathLike) or not str(path):
        raise TypeError(f"{who}(path): give a file path, got {path!r}")
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    table = [{"dtype": a.dtype.name, "shape": list(a.shape)} for a in arrays.arrays]
    try:
        text = json.dumps({**manifest, "arrays": table}, allow_nan=False, ensure_ascii=False)
    except ValueError as err:  # a non-finite float the encoder did not tag: a bug
        raise ValueError(f"{who}: cannot write {str(path)!r} as JSON: {err}") from None
    tmp = target.with_name(target.name + ".tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(MANIFEST, text.encode("utf-8"))
            for i, array in enumerate(arrays.arrays):
                raw = np.require(array, requirements="C").view(DTYPES[array.dtype.name])
                with zf.open(f"{ARRAY_DIR}{i}.npy", "w", force_zip64=raw.nbytes > 2**30) as f:
                    np.lib.format.write_array(f, raw, allow_pickle=False)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


# -- reading ----------------------------------------------------------------------------
def read_file(
    path: Any,
    who: str,
    kind: str,
    what: str,
    *,
    allow_pickle: bool,
    from_pickle: Callable[[Any], Any],
    from_archive: Callable[[Archive], Any],
) -> Any:
    """Read an archive of `kind` (or, with `allow_pickle`, a pickle of older versions).

    `from_pickle` turns an unpickled payload into the result (raising ValueError
    when it holds something else); `from_archive` reads an open archive, raising
    `Bad` for a malformed part, which becomes an error naming the file.
    """
    source = source_path(path, who)
    found = sniff(source)
    if found == "pickle":
        if not allow_pickle:
            raise pickle_refusal(who, source)
        return from_pickle(read_pickle(source))
    if found != "archive":
        raise ValueError(f"{who}: {str(path)!r} is not {what}")
    with Archive(source, who, kind, what) as archive:
        try:
            return from_archive(archive)
        except Bad as err:
            raise archive.error(str(err)) from None


def _reject_constant(token: str) -> Any:
    raise Bad(f"the manifest holds {token}, which is not JSON (numbers must be finite)")


class Archive:
    """An open archive: its checked manifest and its arrays, read on demand.

    Args:
        path: the file.
        who: the public function reading it (for messages).
        kind: the expected `format` of the manifest.
        what: how messages describe a file of this kind (default: the kind).

    Raises:
        ValueError: the file is not a complete archive of this kind.
    """

    def __init__(self, path: Any, who: str, kind: str, what: str | None = None):
        self.path = Path(path)
        self.who = who
        self.kind = kind
        self.what = what or repr(kind)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
            raise self.error(f"not a complete archive (truncated or damaged?): {err}") from None
        try:
            self.manifest = self._read_manifest()
            self._table = self._read_table()
        except Bad as err:
            self._zip.close()
            raise self.error(str(err)) from None
        except BaseException:
            self._zip.close()
            raise
        self._cache: dict[int, np.ndarray] = {}

    def error(self, detail: str) -> ValueError:
        """A ValueError naming the file."""
        return ValueError(f"{self.who}: cannot read {str(self.path)!r}: {detail}")

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Close the file."""
        self._zip.close()

    def _info(self, name: str) -> zipfile.ZipInfo:
        try:
            info = self._zip.getinfo(name)
        except KeyError:
            raise Bad(f"the archive has no entry {name!r}") from None
        if info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
            raise Bad(f"entry {name!r} is compressed; this format stores entries uncompressed")
        if info.file_size > os.path.getsize(self.path):
            raise Bad(f"entry {name!r} claims more bytes than the file holds")
        return info

    def _read_entry(self, name: str) -> bytes:
        info = self._info(name)
        try:
            return self._zip.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
            raise Bad(f"entry {name!r} is damaged: {err}") from None

    def _read_manifest(self) -> dict[str, Any]:
        raw = self._read_entry(MANIFEST)
        try:
            manifest = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except Bad:
            raise
        except RecursionError:
            raise Bad("the manifest is nested too deeply") from None
        except UnicodeDecodeError as err:
            raise Bad(f"the manifest is not UTF-8 text: {err}") from None
        except ValueError as err:  # JSONDecodeError, or a number too long to convert
            raise Bad(f"the manifest is not valid JSON: {err}") from None
        if not isinstance(manifest, dict):
            raise Bad(f"the manifest is a JSON {type(manifest).__name__}, not an object")
        if manifest.get("format") != self.kind:
            raise Bad(f"it is not {self.what} (its format is {manifest.get('format')!r})")
        version = manifest.get("version")
        if version != 1:
            raise Bad(f"format version {version!r} is not known to this jno_lab (it reads 1)")
        return manifest

    def _read_table(self) -> list[tuple[str, tuple[int, ...]]]:
        table = self.manifest.get("arrays")
        if not isinstance(table, list):
            raise Bad("the manifest has no array table ('arrays' must be a list)")
        out = []
        for i, entry in enumerate(table):
            where = f"arrays[{i}]"
            entry = as_dict(entry, where)
            dtype = entry.get("dtype")
            if dtype not in DTYPES:
                raise Bad(f"{where}: dtype {dtype!r} is not one of {', '.join(DTYPES)}")
            shape = as_list(entry.get("shape"), f"{where}.shape")
            if len(shape) > 32:
                raise Bad(f"{where}: {len(shape)} dimensions (at most 32)")
            dims = tuple(as_int(d, f"{where}.shape", 0) for d in shape)
            out.append((dtype, dims))
        return out

    def array(self, ref: Any, where: str) -> np.ndarray:
        """The numpy array a reference `{"$array": i}` names (one object per index)."""
        ref = as_dict(ref, where)
        if set(ref) != {"$array"}:
            raise Bad(f"{where}: expected an array reference {{'$array': index}}, got {ref!r}")
        index = as_int(ref["$array"], where, 0, len(self._table) - 1)
        if index not in self._cache:
            self._cache[index] = self._load(index)
        return self._cache[index]

    def _load(self, index: int) -> np.ndarray:
        name = f"{ARRAY_DIR}{index}.npy"
        dtype_name, shape = self._table[index]
        raw_dtype = np.dtype(DTYPES[dtype_name])
        info = self._info(name)
        try:
            # a zip member opened for reading is a ZipExtFile, which has readinto
            with cast("zipfile.ZipExtFile", self._zip.open(info)) as f:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    header = np.lib.format.read_array_header_1_0(f)
                elif version in ((2, 0), (3, 0)):
                    header = np.lib.format.read_array_header_2_0(f)
                else:
                    raise Bad(f"entry {name!r}: .npy version {version} is not supported")
                stored_shape, fortran, stored_dtype = header
                if stored_dtype != raw_dtype or tuple(stored_shape) != shape:
                    raise Bad(
                        f"entry {name!r} holds {stored_dtype} {tuple(stored_shape)}, the manifest "
                        f"says {dtype_name} {shape}"
                    )
                offset = f.tell()
                size = math.prod(shape) * raw_dtype.itemsize
                if info.file_size - offset != size:
                    raise Bad(
                        f"entry {name!r}: shape {shape} needs {size} bytes of data, the entry "
                        f"holds {info.file_size - offset}"
                    )
                data = bytearray(size)
                got = f.readinto(data)
                f.read()  # to the end: the zip's CRC check
        except Bad:
            raise
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
            raise Bad(f"entry {name!r} is damaged: {err}") from None
        if got != size:
            raise Bad(f"entry {name!r} is truncated")
        array = np.frombuffer(data, dtype=raw_dtype).reshape(shape, order="F" if fortran else "C")
        if dtype_name != raw_dtype.name:
            array = array.view(np.dtype(dtype_name))
        return array


__all__ = [
    "ARRAY_DIR",
    "DTYPES",
    "MANIFEST",
    "MAX_DEPTH",
    "Archive",
    "ArrayWriter",
    "Bad",
    "Refused",
    "as_bool",
    "as_dict",
    "as_float",
    "as_int",
    "as_list",
    "as_str",
    "decode",
    "encode",
    "field",
    "optional",
    "pickle_refusal",
    "read_file",
    "read_pickle",
    "sniff",
    "source_path",
    "write",
]
