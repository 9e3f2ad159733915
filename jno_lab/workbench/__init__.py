"""The workbench layer: documents, the node catalogue, one lowering for Run and Export.

Example:
    >>> from jno_lab import workbench
    >>> doc = workbench.new_document("demo")
    >>> [p["code"] for p in workbench.validate(doc)]
    ['no_constraint']
"""

from .catalogue import catalogue_json as catalogue_json
from .document import load as load
from .document import new_document as new_document
from .document import save as save
from .importer import to_document as to_document
from .lowering import lower as lower
from .opener import open_in_editor as open
from .session import Phase as Phase
from .session import Session as Session
from .validate import validate as validate

__all__ = [
    "Phase",
    "Session",
    "catalogue_json",
    "load",
    "lower",
    "new_document",
    "open",
    "save",
    "to_document",
    "validate",
]
