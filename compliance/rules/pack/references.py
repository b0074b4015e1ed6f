"""Static check of the attributes a CEL condition references.

The CEL binding compiles and evaluates but does not type-check against a declared schema,
and its `Program.variables()` only names the roots (`product`), not the selected fields
(`product.collateral_pct`). So this module tokenizes the condition (CEL's lexical grammar is
small) and walks every selection chain that starts at a root, which gives the exact list of
`root.attribute` pairs and their positions. The library's own variable list is then used as a
cross-check, so an identifier this walker missed can never slip through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .vocabulary import ELEMENT_FIELDS, ROOTS

# Comprehension macros bind their first argument as a variable: `xs.exists(x, ...)`.
MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})

# Reserved words the lexer sees as identifiers.
KEYWORDS = frozenset({"in", "true", "false", "null"})

# Identifiers CEL resolves itself (type denotations usable with type(), e.g. `type(x) == int`).
BUILTIN_IDENTIFIERS = frozenset(
    {"int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type"}
)

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>//[^\n]*)
  | (?P<string>(?:[rR]?[bB]?|[bB]?[rR]?)(?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"
        |'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"))
  | (?P<number>0[xX][0-9a-fA-F]+[uU]?|\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?
        |\d+[eE][+-]?\d+|\d+[uU]?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>&&|\|\||==|!=|<=|>=|[-+*/%!<>?:.,()\[\]{}])
    """,
    re.VERBOSE,
)


class UnknownReference(ValueError):
    """A condition references something outside the vocabulary."""

    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    offset: int


@dataclass(frozen=True)
class Reference:
    root: str
    attribute: str
    line: int
    column: int

    @property
    def dotted(self) -> str:
        return f"{self.root}.{self.attribute}"


def _position(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _tokenize(source: str) -> list[_Token]:
    tokens = []
    pos = 0
    while pos < len(source):
        match = _TOKEN_RE.match(source, pos)
        if match is None:
            line, column = _position(source, pos)
            raise UnknownReference(f"unexpected character {source[pos]!r}", line, column)
        kind = match.lastgroup
        if kind == "ident" and match.group() in KEYWORDS:
            kind = "keyword"
        if kind not in ("ws", "comment"):
            tokens.append(_Token(kind, match.group(), pos))
        pos = match.end()
    return tokens


def _string_value(literal: str) -> str | None:
    """The value of a plain quoted string literal, or None for anything fancier."""
    if len(literal) >= 2 and literal[0] == literal[-1] and literal[0] in "'\"":
        body = literal[1:-1]
        if "\\" not in body:
            return body
    return None


def find_references(source: str, library_variables: list[str]) -> tuple[Reference, ...]:
    """Every `root.attribute` the condition reads, checked against the vocabulary.

    Raises UnknownReference with the 1-based line/column (within the condition) of the first
    offending token.
    """
    tokens = _tokenize(source)
    # name -> element fields it may select, for variables bound by a macro over a list of maps
    bound: dict[str, frozenset[str] | None] = {}
    references: list[Reference] = []

    def fail(message: str, token: _Token) -> None:
        line, column = _position(source, token.offset)
        raise UnknownReference(message, line, column)

    def follows_dot(i: int) -> bool:
        return i > 0 and tokens[i - 1].text == "."

    for i, tok in enumerate(tokens):
        if tok.kind != "ident":
            continue
        # Macro binding: <target> . macro ( var ,
        if (
            tok.text in MACROS
            and follows_dot(i)
            and i + 3 < len(tokens)
            and tokens[i + 1].text == "("
            and tokens[i + 2].kind == "ident"
            and tokens[i + 3].text == ","
        ):
            var = tokens[i + 2]
            if var.text in ROOTS:
                fail(f"comprehension variable {var.text!r} shadows a root", var)
            element_fields = None
            # `product.delivery_sites.exists(s, ...)`: s selects element fields
            if i >= 4 and tokens[i - 4].text in ROOTS and tokens[i - 3].text == ".":
                if not (i >= 5 and tokens[i - 5].text == "."):
                    attr_type = ROOTS[tokens[i - 4].text].get(tokens[i - 2].text)
                    element_fields = ELEMENT_FIELDS.get(attr_type)
            bound[var.text] = element_fields
            continue
        if follows_dot(i):
            continue  # a field selection or method name, handled from its chain's start
        if tok.text in ROOTS:
            attrs = ROOTS[tok.text]
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt is not None and nxt.text == "." and i + 2 < len(tokens):
                name_tok = tokens[i + 2]
                if name_tok.kind != "ident":
                    fail(f"expected an attribute name after '{tok.text}.'", name_tok)
                is_call = i + 3 < len(tokens) and tokens[i + 3].text == "("
                if is_call:
                    fail(f"'{tok.text}' is a map of attributes; it has no methods", name_tok)
                name = name_tok.text
            elif (
                nxt is not None
                and nxt.text == "["
                and i + 3 < len(tokens)
                and tokens[i + 2].kind == "string"
                and tokens[i + 3].text == "]"
                and _string_value(tokens[i + 2].text) is not None
            ):
                name_tok = tokens[i + 2]
                name = _string_value(name_tok.text)
            else:
                fail(f"'{tok.text}' must be followed by an attribute, e.g. {tok.text}.x", tok)
            if name not in attrs:
                fail(f"unknown attribute {tok.text}.{name}", name_tok)
            line, column = _position(source, name_tok.offset)
            references.append(Reference(tok.text, name, line, column))
        elif tok.text in bound:
            fields = bound[tok.text]
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if fields is not None and nxt is not None and nxt.text == "." and i + 2 < len(tokens):
                field = tokens[i + 2]
                if field.kind == "ident" and field.text not in fields:
                    fail(f"unknown field {field.text!r} (one of {sorted(fields)})", field)
        elif tok.text not in BUILTIN_IDENTIFIERS and not (i + 1 < len(tokens) and tokens[i + 1].text == "("):
            fail(f"unknown identifier {tok.text!r}", tok)

    # Cross-check with the compiler's view: every variable it sees must be a root we resolved,
    # a macro-bound variable or a type name. This catches forms the walker does not model
    # (e.g. a root-qualified `.product`).
    resolved_roots = {ref.root for ref in references}
    for name in library_variables:
        if name in resolved_roots or name in bound or name in BUILTIN_IDENTIFIERS:
            continue
        raise UnknownReference(f"unsupported reference to {name!r}", 1, 1)
    return tuple(references)
