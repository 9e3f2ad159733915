"""Source expressions for the importer's Custom-function nodes.

Two sources, both exact:

- a `jno.fn` function whose text can be recovered: a lambda or a one-line
  `def f(...): return <expr>` whose body uses only its arguments, `jnp`, `np`,
  `jax` and builtins (or a function carrying `__jno_expression__`);
- elementwise `jno.np` operations that have no node type of their own (`where`,
  `maximum`, comparisons, `log1p`, ...), written out as the JAX call they compute.

Anything else (closures, helper functions, several statements) has no source
expression the document could hold, and the importer refuses it.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import math
import sys
import textwrap
import types
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

ARG_NAMES = ("a", "b", "c", "d")
"""Argument names of a Custom-function node's expression (its inputs in1..in4)."""

_MODULES: dict[str, Any] = {"jnp": jnp, "np": np, "jax": jax}

_COMPARISONS = {"less": "<", "less_equal": "<=", "greater": ">", "greater_equal": ">="}
_CALLS = {
    "where": "jnp.where",
    "maximum": "jnp.maximum",
    "minimum": "jnp.minimum",
    "clip": "jnp.clip",
    "arctan2": "jnp.arctan2",
    "stop_gradient": "jax.lax.stop_gradient",
    "log1p": "jnp.log1p",
    "expm1": "jnp.expm1",
    "sign": "jnp.sign",
    "arcsinh": "jnp.arcsinh",
    "arccosh": "jnp.arccosh",
    "arctanh": "jnp.arctanh",
}
FOLDABLE_OPS = frozenset(_COMPARISONS) | frozenset(_CALLS)
"""Elementwise ops without a node type that become (part of) a Custom-function node."""


def op_expression(op: str, operands: list[str]) -> str:
    """The Python text computing elementwise `op` on operand texts.

    Example:
        >>> op_expression("where", ["(a < 0.5)", "b", "0.0"])
        'jnp.where((a < 0.5), b, 0.0)'
    """
    if op in _COMPARISONS:
        left, right = operands
        return f"({left} {_COMPARISONS[op]} {right})"
    return f"{_CALLS[op]}({', '.join(operands)})"


def number_text(value: Any) -> str:
    """A scalar as Python text (infinities and NaN through `jnp`).

    Example:
        >>> number_text(float("-inf")), number_text(2), number_text(True)
        ('(-jnp.inf)', '2', 'True')
    """
    if isinstance(value, bool | np.bool_):
        return repr(bool(value))
    if isinstance(value, int | np.integer):
        return repr(int(value))
    value = float(value)
    if math.isnan(value):
        return "jnp.nan"
    if math.isinf(value):
        return "jnp.inf" if value > 0 else "(-jnp.inf)"
    return repr(value) if value >= 0 else f"({value!r})"


# -- user functions ----------------------------------------------------------------------
def function_expression(fn: Any, n_args: int) -> tuple[str | None, str]:
    """The body of `fn` as an expression of `a, b, c, d`, or None and the reason why not.

    Example:
        >>> import jax.numpy as jnp
        >>> function_expression(lambda u, v: jnp.sin(u) * v, 2)[0]
        'jnp.sin(a) * b'
    """
    given = getattr(fn, "__jno_expression__", None)
    if isinstance(given, str):
        return given, ""
    if n_args > len(ARG_NAMES):
        return None, f"it takes {n_args} inputs and a Custom-function node takes at most 4"
    if not isinstance(fn, types.FunctionType):
        return None, f"it is a {type(fn).__name__}, not a plain Python function"
    code = fn.__code__
    if code.co_freevars:
        return None, f"it reads variables of an enclosing scope ({', '.join(code.co_freevars)})"
    if (
        code.co_argcount != n_args
        or code.co_kwonlyargcount
        or code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)
    ):
        return None, f"its signature is not {n_args} plain positional arguments"
    try:
        lines, first_line = inspect.getsourcelines(fn)
    except (OSError, TypeError):
        return None, "its source text is not available"
    source = "".join(lines)
    dedented = textwrap.dedent(source)
    shift = _indent(source) - _indent(dedented)
    body, args = _body(fn, dedented, (first_line, shift))
    if body is None:
        return None, "its source is not a lambda or a def returning one expression"
    free = _free_names(body, set(args))
    unknown = [name for name in sorted(free) if not _known_global(fn, name)]
    if unknown:
        return None, f"it uses names other than its arguments, jnp, np and jax: {unknown}"
    renamed = _Rename(dict(zip(args, ARG_NAMES, strict=False))).visit(body)
    return ast.unparse(renamed), ""


def _indent(text: str) -> int:
    first = text.splitlines()[0] if text else ""
    return len(first) - len(first.lstrip())


def _body(
    fn: types.FunctionType, source: str, origin: tuple[int, int]
) -> tuple[ast.expr | None, list[str]]:
    tree = _parse(source)
    if tree is None:
        return None, []
    if fn.__name__ == "<lambda>":
        lambdas = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda)]
        found = [lam for lam in lambdas if _same_code(lam, fn.__code__)]
        if len(found) > 1:  # several alike: the one at the function's position in the file
            found = [lam for lam in found if _at(lam, fn.__code__, origin)]
        if len(found) != 1:
            return None, []
        return found[0].body, [a.arg for a in found[0].args.args]
    defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == fn.__name__]
    if len(defs) != 1 or defs[0].decorator_list:
        return None, []
    statements = list(defs[0].body)
    if (
        statements
        and isinstance(statements[0], ast.Expr)
        and isinstance(statements[0].value, ast.Constant)
        and isinstance(statements[0].value.value, str)
    ):
        statements = statements[1:]  # a docstring
    if len(statements) != 1 or not isinstance(statements[0], ast.Return):
        return None, []
    value = statements[0].value
    return value, [a.arg for a in defs[0].args.args]


def _parse(source: str) -> ast.Module | None:
    """Parse a source fragment; a lambda inside a longer statement may need trimming."""
    lines = source.splitlines()
    for end in range(len(lines), 0, -1):
        try:
            return ast.parse("\n".join(lines[:end]))
        except SyntaxError:
            continue
    return None


def _same_code(lam: ast.Lambda, code: types.CodeType) -> bool:
    try:
        outer = compile(ast.Expression(body=lam), code.co_filename, "eval")
    except (SyntaxError, ValueError):
        return False
    inner = [c for c in outer.co_consts if isinstance(c, types.CodeType)]
    return len(inner) == 1 and _fingerprint(inner[0]) == _fingerprint(code)


def _fingerprint(code: types.CodeType) -> tuple:
    """What a lambda's text decides (bytecode details vary with the compiling context)."""
    consts = tuple(c for c in code.co_consts if not isinstance(c, types.CodeType))
    return code.co_argcount, consts, code.co_names, code.co_varnames


def _at(lam: ast.Lambda, code: types.CodeType, origin: tuple[int, int]) -> bool:
    """Whether the lambda's body starts where the code's instructions do (line, column)."""
    if sys.version_info < (3, 11):  # no column positions yet: alike lambdas stay ambiguous
        return False
    first_line, shift = origin
    positions = [
        (p[0], p[2])
        for p in code.co_positions()
        if None not in p and p[3] > p[2]  # leaves out the zero-width entry instruction
    ]
    if not positions:
        return False
    line = lam.body.lineno + first_line - 1
    column = lam.body.col_offset + (shift if lam.body.lineno == 1 else 0)
    return min(positions) == (line, column)


def _free_names(body: ast.expr, args: set[str]) -> set[str]:
    bound = set(args)
    for node in ast.walk(body):  # names bound inside comprehensions or nested lambdas
        if isinstance(node, ast.comprehension):
            bound |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.Lambda):
            bound |= {a.arg for a in node.args.args}
    return {
        n.id
        for n in ast.walk(body)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in bound
    }


def _known_global(fn: types.FunctionType, name: str) -> bool:
    if name in _MODULES:
        return fn.__globals__.get(name) is _MODULES[name]
    return name not in fn.__globals__ and hasattr(builtins, name)


class _Rename(ast.NodeTransformer):
    def __init__(self, mapping: dict[str, str]):
        self.mapping = mapping

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id in self.mapping:
            return ast.copy_location(ast.Name(id=self.mapping[node.id], ctx=node.ctx), node)
        return node
