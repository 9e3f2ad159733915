"""The allow-list every lowered program passes before anything runs or is exported.

The lowering writes statements from document values through the emitters
(`emit`); this module checks the result independently. Each statement is parsed
with `ast` and may only contain:

- the header imports (`jax`, `jax.numpy as jnp`, `numpy as np`, `optax`,
  `shapely`, `shapely.affinity`, `jno_lab as jno`) and a docstring;
- assignments to plain names, calls as statements, and custom-function
  definitions `def _<name>_fn(a, b): return <expression>`;
- names defined earlier in the program (or a function's / lambda's arguments);
- attributes of `jno`, `jax`, `jnp`, `np`, `optax` and `shapely` that the
  catalogue uses (`ALLOWED_PATHS`), and the engine methods it calls on values
  (`METHODS`); never a name or attribute with a leading `__`;
- literals, arithmetic, comparisons, boolean operators, subscripts, lists,
  tuples, lambdas and calls with plain keyword arguments.

Anything else is a problem naming the statement's node and the field whose text
shows up in the offending part. The body of a custom function the document
marks as code is not checked here: it is code, and runs only when trusted.

Example:
    >>> check_source("import os")
    [(None, 'program', 'line 1: imports other than the header are not allowed')]
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import expressions
from .catalogue import nodes_balancers, nodes_losses, nodes_math

if TYPE_CHECKING:
    from .lowering import Program

__all__ = [
    "ALLOWED_PATHS",
    "HEADER_IMPORTS",
    "METHODS",
    "check",
    "check_source",
    "check_statements",
]

HEADER_IMPORTS = {
    ("jax", None): "jax",
    ("jax.numpy", "jnp"): "jnp",
    ("numpy", "np"): "np",
    ("optax", None): "optax",
    ("shapely", None): "shapely",
    ("shapely.affinity", None): "shapely",
    ("jno_lab", "jno"): "jno",
}
"""(module, alias) -> the name the import binds."""

_MODULES = frozenset(HEADER_IMPORTS.values())


def _paths() -> frozenset[str]:
    jno = {
        "jno.setup",
        "jno.core",
        "jno.domain",
        "jno.domain.line",
        "jno.fn",
        "jno.fn.relative_l2",
        "jno.fn.adaptive.dlrs",
        "jno.np.constant",
        "jno.np.parameter",
        "jno.np.tracker",
        "jno.np.concat",
        "jno.noise.gaussian",
        "jno.noise.uniform",
        "jno.noise.laplace",
        "jno.nn.wrap",
        "jno.diagnostics.gradient_norms",
        "jno.diagnostics.gradient_cosines",
        "jno.diagnostics.ntk",
        "jno.diagnostics.residual_stats",
        "jax.random.PRNGKey",
        "shapely.box",
        "shapely.Point",
        "shapely.Polygon",
        "shapely.affinity.scale",
        "shapely.affinity.rotate",
        "shapely.affinity.translate",
    }
    jno |= {f"jno.np.{f}" for f in nodes_math.UNARY}
    jno |= {f"jno.fn.{r}" for r in nodes_losses.REDUCTIONS}
    jno |= {f"jno.fn.adaptive.{f}" for f in nodes_balancers.FUNCTIONS.values()}
    jno |= {f"jno.nn.{f}" for f in ("mlp", "fourier_mlp", "modified_mlp", "deeponet", "fno")}
    jno |= {
        f"jno.LearningRateSchedule.{k}"
        for k in ("constant", "exponential", "cosine", "warmup_cosine", "piecewise_constant")
    }
    jno |= {f"optax.{o}" for o in ("adam", "adamw", "sgd", "rmsprop", "lion", "adabelief")}
    for module in ("np", "jnp"):
        jno |= {f"{module}.{f}" for f in expressions.FUNCTIONS | expressions.CONSTANTS}
    return frozenset(jno)


ALLOWED_PATHS = _paths()
"""Dotted names under the header's modules that a program may use."""

METHODS = frozenset(
    {
        "variable",
        "region",
        "add_boundary_segments",
        "buffer",
        "union",
        "difference",
        "intersection",
        "symmetric_difference",
        "d",
        "laplacian",
        "hessian",
        "tracker",
        "optimizer",
        "solve",
        "plot",
        "summary",
    }
)
"""Methods the catalogue calls on values (domains, shapes, expressions, networks, results)."""

_EXPRESSIONS = (
    ast.Constant,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.BoolOp,
    ast.IfExp,
    ast.Subscript,
    ast.Slice,
    ast.Tuple,
    ast.List,
)
_OPERATORS = (
    ast.operator,
    ast.unaryop,
    ast.cmpop,
    ast.boolop,
    ast.expr_context,
)

Problem = tuple[str | None, str, str]


def check(program: Program, document: dict[str, Any] | None = None) -> list[Problem]:
    """Problems of a lowered program: `(node_id, field, message)`, empty when it passes."""
    checker = _Checker()
    problems: list[Problem] = []
    statements = [*program.setup]
    for phase in program.phases:
        statements += [*phase.configure, phase.solve]
    exempt = set(program.code_nodes)
    for st in statements:
        for message, text in checker.statement(st.code, code=st.node_id in exempt):
            problems.append((st.node_id, _field(st.node_id, text, document), message))
    return problems


def check_source(source: str) -> list[Problem]:
    """Problems of a whole script (header included), attributed to no node."""
    checker = _Checker(header=False)
    return [(None, "program", message) for message, _ in checker.statement(source, code=False)]


def check_statements(statements: list[str]) -> list[str]:
    """Messages for statements (after the header) outside the allow-list; empty if they pass."""
    checker = _Checker()
    return [message for st in statements for message, _ in checker.statement(st, code=False)]


def _field(node_id: str | None, text: str, document: dict[str, Any] | None) -> str:
    """The parameter of `node_id` whose value shows up in `text` (best effort)."""
    if node_id is None or document is None:
        return "program"
    for node in document.get("graph", {}).get("nodes", []):
        if isinstance(node, dict) and node.get("id") == node_id:
            for key, value in (node.get("params") or {}).items():
                if isinstance(value, str) and value and (value in text or text in value):
                    return str(key)
    return "program"


class _Checker:
    def __init__(self, header: bool = True):
        self.defined: set[str] = set(_MODULES) if header else set()

    def statement(self, source: str, *, code: bool) -> list[tuple[str, str]]:
        """Check one statement (or block); returns `(message, offending text)` pairs.

        `code`: the statement is a code-marked custom function (its body is not checked).
        """
        try:
            tree = ast.parse(source, mode="exec")
        except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
            return [(f"the statement does not parse ({type(err).__name__})", source)]
        out: list[tuple[str, str]] = []
        for stmt in tree.body:
            try:
                self._stmt(stmt, code, out)
            except RecursionError:
                out.append(("the statement is nested too deeply", source))
        return out

    # -- statements ------------------------------------------------------------------
    def _stmt(self, stmt: ast.stmt, code: bool, out: list[tuple[str, str]]) -> None:
        where = f"line {stmt.lineno}"
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                bound = HEADER_IMPORTS.get((alias.name, alias.asname))
                if bound is None:
                    out.append((f"{where}: imports other than the header are not allowed", ""))
                else:
                    self.defined.add(bound)
            return
        if isinstance(stmt, ast.Expr):
            if isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                return  # a docstring
            if not isinstance(stmt.value, ast.Call):
                out.append((f"{where}: only calls may stand alone as statements", _text(stmt)))
                return
            self._expr(stmt.value, frozenset(), out)
            return
        if isinstance(stmt, ast.Assign):
            self._expr(stmt.value, frozenset(), out)
            for target in stmt.targets:
                for name in self._targets(target, out):
                    self.defined.add(name)
            return
        if isinstance(stmt, ast.FunctionDef):
            self._function(stmt, code, out)
            return
        out.append((f"{where}: a {type(stmt).__name__} statement is not allowed", _text(stmt)))

    def _targets(self, target: ast.expr, out: list[tuple[str, str]]) -> Iterable[str]:
        if isinstance(target, ast.Tuple | ast.List):
            for elt in target.elts:
                yield from self._targets(elt, out)
            return
        if isinstance(target, ast.Name) and _plain(target.id) and target.id not in _MODULES:
            yield target.id
            return
        out.append(("only plain names may be assigned", _text(target)))

    def _function(self, fn: ast.FunctionDef, code: bool, out: list[tuple[str, str]]) -> None:
        args = fn.args
        names = [a.arg for a in args.args]
        shape_ok = (
            fn.name.startswith("_")
            and fn.name.endswith("_fn")
            and _plain(fn.name.lstrip("_"))
            and not fn.decorator_list
            and fn.returns is None
            and not (args.posonlyargs or args.kwonlyargs or args.vararg or args.kwarg)
            and not (args.defaults or args.kw_defaults)
            and all(a.annotation is None for a in args.args)
            and set(names) <= set(nodes_math.ARG_NAMES)
            and len(fn.body) == 1
            and isinstance(fn.body[0], ast.Return)
            and fn.body[0].value is not None
        )
        if not shape_ok:
            out.append(
                ("a function must be `def _<name>_fn(a, ...): return <expression>`", fn.name)
            )
            return
        if not code:
            self._expr(fn.body[0].value, frozenset(names), out)  # type: ignore[arg-type]
        self.defined.add(fn.name)

    # -- expressions -----------------------------------------------------------------
    def _expr(self, node: ast.AST, local: frozenset[str], out: list[tuple[str, str]]) -> None:
        if isinstance(node, ast.Name):
            if node.id not in self.defined and node.id not in local:
                out.append((f"the name {node.id!r} is not defined by the program", node.id))
            elif not _plain(node.id):
                out.append((f"the name {node.id!r} is not allowed", node.id))
            return
        if isinstance(node, ast.Attribute):
            self._attribute(node, local, out)
            return
        if isinstance(node, ast.Call):
            self._expr(node.func, local, out)
            for arg in node.args:
                if isinstance(arg, ast.Starred):
                    out.append(("*arguments are not allowed", _text(arg)))
                    continue
                self._expr(arg, local, out)
            for kw in node.keywords:
                if kw.arg is None or not _plain(kw.arg):
                    out.append(("only plain keyword arguments are allowed", _text(kw.value)))
                    continue
                self._expr(kw.value, local, out)
            return
        if isinstance(node, ast.Lambda):
            args = node.args
            names = [a.arg for a in args.args]
            if (
                names != ["x", "y"]
                or args.posonlyargs
                or args.kwonlyargs
                or args.vararg
                or args.kwarg
                or args.defaults
            ):
                out.append(("a lambda must be `lambda x, y: <predicate>`", _text(node)))
                return
            self._expr(node.body, local | {"x", "y"}, out)
            return
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, int | float | str | bool | type(None) | type(...)):
                out.append((f"the constant {type(node.value).__name__} is not allowed", ""))
            return
        if isinstance(node, _EXPRESSIONS):
            for child in ast.iter_child_nodes(node):
                if not isinstance(child, _OPERATORS):
                    self._expr(child, local, out)
            return
        out.append((f"a {type(node).__name__} expression is not allowed", _text(node)))

    def _attribute(
        self, node: ast.Attribute, local: frozenset[str], out: list[tuple[str, str]]
    ) -> None:
        if node.attr.startswith("__") or node.attr.startswith("_"):
            out.append((f"the attribute {node.attr!r} is not allowed", node.attr))
            return
        path = _dotted(node)
        if path is not None and path.split(".")[0] in _MODULES - local:
            if path not in ALLOWED_PATHS:
                out.append((f"{path} is not an allowed attribute of {path.split('.')[0]}", path))
            return
        if node.attr not in METHODS:
            out.append((f"the method {node.attr!r} is not on the allow-list", node.attr))
            return
        self._expr(node.value, local, out)


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _plain(name: str) -> bool:
    return name.isascii() and name.isidentifier() and not name.startswith("__")


def _text(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:
        return ""
