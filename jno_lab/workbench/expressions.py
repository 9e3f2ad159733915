"""Expressions from documents: a restricted grammar, parsed and rebuilt, never run as text.

Tag predicates (`x < 0.5 and y > 0`) and custom-function expressions
(`jnp.sin(jnp.pi * a) * b`) are document text. They are parsed with `ast` and
accepted only when every part belongs to the grammar: the given variable names,
finite numbers, arithmetic, comparisons, boolean operators (predicates only),
the math functions and constants below by name (bare, `np.` or `jnp.`), and
constant indexing (`a[..., 0]`, custom functions only). The code that runs is
then written from the checked tree, with every function and constant spelt
`np.<name>` or `jnp.<name>`, so nothing of the original text reaches Python
except through that tree.

Example:
    >>> predicate("x < 0.5 and sin(y) > 0", ("x", "y"))
    'x < 0.5 and np.sin(y) > 0'
    >>> function_body("jnp.sin(jnp.pi * a) * b", ("a", "b"))
    'jnp.sin(jnp.pi * a) * b'
    >>> predicate("__import__('os')", ("x", "y"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jno_lab.workbench.expressions.GrammarError: '__import__' is not a function of the ...
"""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence

__all__ = ["CONSTANTS", "FUNCTIONS", "GrammarError", "function_body", "parse", "predicate"]

FUNCTIONS = frozenset(
    {
        "sin",
        "cos",
        "tan",
        "arcsin",
        "arccos",
        "arctan",
        "arctan2",
        "sinh",
        "cosh",
        "tanh",
        "arcsinh",
        "arccosh",
        "arctanh",
        "exp",
        "expm1",
        "log",
        "log1p",
        "log2",
        "log10",
        "sqrt",
        "cbrt",
        "square",
        "abs",
        "sign",
        "floor",
        "ceil",
        "round",
        "minimum",
        "maximum",
        "where",
        "clip",
        "hypot",
        "power",
        "heaviside",
    }
)
"""Math functions an expression may call (numpy / jax.numpy names)."""

CONSTANTS = frozenset({"pi", "e"})
"""Named constants an expression may use."""

MAX_LENGTH = 4000
"""Longest expression text accepted (characters)."""

MAX_DEPTH = 64
"""Deepest nesting of the parsed expression accepted."""

MAX_INTEGER = 2**53
"""Largest integer literal accepted (larger ones are not exact as floats anyway)."""

MAX_CONSTANT_EXPONENT = 1024
"""Largest exponent of a power of two constants (keeps integer powers cheap)."""

_MODULES = ("np", "jnp")
_BINARY = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.BitAnd: "&",
    ast.BitOr: "|",
}
_UNARY = (ast.UAdd, ast.USub, ast.Invert)
_COMPARE = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)


class GrammarError(ValueError):
    """The text is not an expression of the grammar; the message says which part and why."""


def predicate(text: str, variables: Sequence[str]) -> str:
    """Check a tag predicate and return its Python source (numpy spelling).

    Predicates are called with floats, so `and`, `or`, `not`, chained
    comparisons and `a if c else b` are allowed.

    Raises:
        GrammarError: naming the part of `text` outside the grammar.
    """
    return ast.unparse(parse(text, variables, flavour="np", boolean=True, indexing=False))


def function_body(text: str, variables: Sequence[str]) -> str:
    """Check a custom-function expression and return its source (jax.numpy spelling).

    The inputs are arrays, so Python's `and`/`or`/`not` and chained comparisons
    (which need single truth values) are refused with a hint; constant indexing
    (`a[..., 0]`) is allowed.

    Raises:
        GrammarError: naming the part of `text` outside the grammar.
    """
    return ast.unparse(parse(text, variables, flavour="jnp", boolean=False, indexing=True))


def parse(
    text: str, variables: Sequence[str], *, flavour: str, boolean: bool, indexing: bool
) -> ast.Expression:
    """Parse `text` and rebuild it from allowed parts only (see the module doc).

    Args:
        text: the expression.
        variables: the names it may use as values.
        flavour: "np" or "jnp", the module every function and constant is spelt with.
        boolean: whether `and`/`or`/`not`, chained comparisons and `if` are allowed.
        indexing: whether constant subscripts (`a[..., 0]`) are allowed.

    Returns:
        A new `ast.Expression` built from the checked parts.
    """
    if not isinstance(text, str):
        raise GrammarError(f"an expression is text, not {type(text).__name__}")
    if not text.strip():
        raise GrammarError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise GrammarError(f"the expression is longer than {MAX_LENGTH} characters")
    if "\x00" in text:
        raise GrammarError("the expression contains a NUL character")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        raise GrammarError(f"not an expression: {err.msg}") from None
    except (ValueError, RecursionError, MemoryError) as err:
        raise GrammarError(f"not an expression: {type(err).__name__}") from None
    builder = _Builder(tuple(variables), flavour, boolean, indexing)
    body = builder.build(tree.body, 0)
    return ast.fix_missing_locations(ast.Expression(body=body))


class _Builder:
    def __init__(self, variables: tuple[str, ...], flavour: str, boolean: bool, indexing: bool):
        if flavour not in _MODULES:
            raise ValueError(f"flavour must be one of {_MODULES}, got {flavour!r}")
        self.variables = variables
        self.flavour = flavour
        self.boolean = boolean
        self.indexing = indexing

    # Every branch returns a NEW node built from checked values, never the parsed one.
    def build(self, node: ast.AST, depth: int) -> ast.expr:
        if depth > MAX_DEPTH:
            raise GrammarError(f"the expression is nested deeper than {MAX_DEPTH} levels")
        d = depth + 1
        if isinstance(node, ast.Constant):
            return ast.Constant(_number(node.value))
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.Attribute):
            return self._constant_attribute(node)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self.build(node.left, d), self.build(node.right, d)
            if isinstance(node.op, ast.Pow):
                _check_power(left, right)
            return ast.BinOp(left, type(node.op)(), right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, _UNARY):
            return ast.UnaryOp(type(node.op)(), self.build(node.operand, d))
        if isinstance(node, ast.Compare) and all(isinstance(op, _COMPARE) for op in node.ops):
            if len(node.ops) > 1 and not self.boolean:
                raise GrammarError(
                    "chained comparisons need single truth values: on arrays write "
                    "(a < b) & (b < c)"
                )
            return ast.Compare(
                self.build(node.left, d),
                [type(op)() for op in node.ops],
                [self.build(c, d) for c in node.comparators],
            )
        if isinstance(node, ast.BoolOp | ast.IfExp) or (
            isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)
        ):
            return self._boolean(node, d)
        if isinstance(node, ast.Call):
            return self._call(node, d)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, d)
        raise GrammarError(f"{_describe(node)} is not part of the expression grammar")

    def _boolean(self, node: ast.AST, d: int) -> ast.expr:
        if not self.boolean:
            raise GrammarError(
                "`and`, `or`, `not` and `if` need single truth values: on arrays use "
                "&, |, ~ (with parentheses) or jnp.where(condition, a, b)"
            )
        if isinstance(node, ast.BoolOp):
            op = ast.And() if isinstance(node.op, ast.And) else ast.Or()
            return ast.BoolOp(op, [self.build(v, d) for v in node.values])
        if isinstance(node, ast.IfExp):
            return ast.IfExp(
                self.build(node.test, d), self.build(node.body, d), self.build(node.orelse, d)
            )
        assert isinstance(node, ast.UnaryOp)
        return ast.UnaryOp(ast.Not(), self.build(node.operand, d))

    def _name(self, name: str) -> ast.expr:
        if name in self.variables:
            return ast.Name(name, ast.Load())
        if name in CONSTANTS:
            return self._spelt(name)
        if name in FUNCTIONS:
            raise GrammarError(f"{name!r} is a function: call it, e.g. {name}(...)")
        raise GrammarError(
            f"{name!r} is not a variable, number or function of the expression grammar "
            f"(variables: {', '.join(self.variables)})"
        )

    def _spelt(self, name: str) -> ast.expr:
        return ast.Attribute(ast.Name(self.flavour, ast.Load()), name, ast.Load())

    def _module_member(self, node: ast.expr) -> str | None:
        """`name` for `np.name` / `jnp.name` / bare `name`, else None."""
        if isinstance(node, ast.Name):
            return node.id
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in _MODULES
        ):
            return node.attr
        return None

    def _constant_attribute(self, node: ast.Attribute) -> ast.expr:
        member = self._module_member(node)
        if member is None or (isinstance(node.value, ast.Name) and node.value.id not in _MODULES):
            raise GrammarError(f"{_describe(node)} is not part of the expression grammar")
        if member in CONSTANTS:
            return self._spelt(member)
        if member in FUNCTIONS:
            raise GrammarError(f"{member!r} is a function: call it, e.g. {member}(...)")
        raise GrammarError(
            f"{_describe(node)} is not a constant of the grammar ({', '.join(sorted(CONSTANTS))})"
        )

    def _call(self, node: ast.Call, d: int) -> ast.expr:
        member = self._module_member(node.func)
        if member is None or member not in FUNCTIONS:
            what = f"{member!r}" if member else _describe(node.func)
            raise GrammarError(
                f"{what} is not a function of the expression grammar "
                f"(functions: {', '.join(sorted(FUNCTIONS))})"
            )
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise GrammarError(f"call {member}(...) with plain arguments only")
        if not 1 <= len(node.args) <= 3:
            raise GrammarError(f"{member}(...) takes one to three arguments")
        return ast.Call(self._spelt(member), [self.build(a, d) for a in node.args], [])

    def _subscript(self, node: ast.Subscript, d: int) -> ast.expr:
        if not self.indexing:
            raise GrammarError("indexing is not part of the predicate grammar")
        index = node.slice
        parts = index.elts if isinstance(index, ast.Tuple) else [index]
        if len(parts) > 4:
            raise GrammarError("index with at most four parts")
        built = [_index_part(p) for p in parts]
        slice_ = ast.Tuple(built, ast.Load()) if isinstance(index, ast.Tuple) else built[0]
        return ast.Subscript(self.build(node.value, d), slice_, ast.Load())


def _number(value: object) -> float | int:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INTEGER:
            raise GrammarError(f"the integer {_short(value)} is too large (at most 2**53)")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise GrammarError(f"{value!r} is not a finite number")
        return value
    raise GrammarError(f"{_short(value)} is not a number (only numbers are constants)")


def _index_part(node: ast.expr) -> ast.expr:
    if isinstance(node, ast.Constant) and node.value is Ellipsis:
        return ast.Constant(Ellipsis)
    if isinstance(node, ast.Slice):
        bounds = [
            _index_int(b) if b is not None else None for b in (node.lower, node.upper, node.step)
        ]
        return ast.Slice(*bounds)
    return _index_int(node)


def _index_int(node: ast.expr) -> ast.expr:
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        sign, node = -1, node.operand
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int)
        and not isinstance(node.value, bool)
        and abs(node.value) <= 2**31
    ):
        return ast.Constant(sign * node.value)
    raise GrammarError("an index is ..., an integer or a slice of integers")


def _constant_only(node: ast.expr) -> bool:
    return not any(isinstance(n, ast.Name) and n.id not in _MODULES for n in ast.walk(node))


def _plain_literal(node: ast.expr) -> float | int | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _plain_literal(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    return None


def _check_power(base: ast.expr, exponent: ast.expr) -> None:
    """Refuse powers of constants that would take Python a long time (`9 ** 9 ** 9`).

    A power of constants needs a literal exponent of at most `MAX_CONSTANT_EXPONENT`
    and a base without another power, so no chain of integer powers can grow.
    """
    if not (_constant_only(base) and _constant_only(exponent)):
        return
    value = _plain_literal(exponent)
    nested = any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) for n in ast.walk(base))
    if nested or value is None or abs(value) > MAX_CONSTANT_EXPONENT:
        raise GrammarError(
            "a power of constants takes number literals with an exponent of at most "
            f"{MAX_CONSTANT_EXPONENT}; write its value instead"
        )


def _describe(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except Exception:
        text = type(node).__name__
    return repr(_short(text))


def _short(value: object, limit: int = 40) -> str:
    text = (
        value
        if isinstance(value, str)
        else repr(value)
        if not isinstance(value, int)
        else (str(value) if value.bit_length() < 200 else f"<integer of {value.bit_length()} bits>")
    )
    return text if len(text) <= limit else text[: limit - 3] + "..."
