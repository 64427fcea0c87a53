"""Admit only read-only Cypher, by parsing it, and hand the engine a canonical rewrite of it.

A statement runs only if the grammar in ``readonly.lark`` derives it: that grammar has rules for
``MATCH``, ``OPTIONAL MATCH``, ``WHERE``, ``WITH``, ``UNWIND``, ``RETURN``, ``ORDER BY``, ``SKIP``,
``LIMIT``, ``UNION``, list and pattern comprehensions, ``CASE``, ``EXISTS { MATCH ... }`` and
function calls, and for nothing else. Every function must be on :data:`FUNCTIONS` and a ``CALL`` may
only name a procedure on :data:`PROCEDURES` (schema listings).

The engine never sees the text the client sent. The statement it runs is rebuilt from the parse
tree: comments dropped, every identifier in backticks, every string re-quoted from its decoded value,
keywords upper-case. So a difference between this grammar's lexer and the engine's (where a comment
or a string ends) cannot smuggle a clause past the check. Superclass labels (``(o:Organisation)``)
are rewritten into the union of the tables below them, as Neo4j's labels would match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from civicgraph.core.errors import StatementRefused

GRAMMAR = Path(__file__).with_name("readonly.lark")
MAX_STATEMENT_CHARS = 65_536
MAX_NESTING = 48

#: Pure functions (lower-case names) a statement may call: no function reads files, settings or the network.
FUNCTIONS = frozenset({
    # aggregates
    "count", "sum", "avg", "min", "max", "collect", "stddev", "stdev",
    # graph
    "id", "label", "labels", "type", "keys", "properties", "nodes", "rels", "relationships", "length",
    "start_node", "end_node", "startnode", "endnode", "offset", "is_trail", "is_acyclic", "cost",
    # lists
    "size", "range", "head", "tail", "last", "reverse", "list_concat", "list_contains", "list_distinct",
    "list_sort", "list_reverse_sort", "list_sum", "list_product", "list_position", "list_unique",
    "list_extract", "list_element", "list_slice", "list_append", "list_prepend", "list_has_all",
    "list_has_any", "coalesce", "ifnull", "nullif",
    # text
    "lower", "upper", "tolower", "toupper", "trim", "ltrim", "rtrim", "substring", "substr", "left",
    "right", "replace", "split", "string_split", "concat", "contains", "starts_with", "ends_with",
    "prefix", "suffix", "lpad", "rpad", "repeat", "levenshtein", "initcap", "array_to_string",
    "regexp_matches", "regexp_replace", "regexp_extract", "regexp_full_match",
    # conversion
    "tostring", "to_string", "string", "tointeger", "to_int64", "to_int32", "tofloat", "to_double",
    "to_float", "toboolean", "to_bool", "cast", "date", "timestamp", "interval", "date_part",
    "datepart", "date_trunc", "datetrunc", "year", "month", "day",
    # numbers
    "abs", "ceil", "ceiling", "floor", "round", "sqrt", "sign", "log", "log2", "log10", "ln", "exp",
    "pow", "power", "pi", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "degrees", "radians",
    "greatest", "least", "even", "factorial", "gamma", "bitwise_xor",
})

#: Procedures a ``CALL`` may name: listings of the schema, which read the catalogue only.
PROCEDURES = frozenset({"show_tables", "table_info"})

#: Words that start a clause the endpoint refuses, for a clearer message than a syntax error.
REFUSED_CLAUSES = frozenset({
    "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "ALTER", "COPY", "LOAD", "INSTALL",
    "UNINSTALL", "UPDATE", "ATTACH", "USE", "EXPORT", "IMPORT", "CHECKPOINT", "BEGIN", "COMMIT",
    "ROLLBACK", "FOREACH", "ANALYZE", "EXPLAIN", "PROFILE",
})

_KEYWORD_TYPES = frozenset({
    "OPTIONAL", "MATCH", "UNWIND", "WITH", "WHERE", "RETURN", "DISTINCT", "ORDER", "BY", "SKIP", "LIMIT",
    "ASCENDING", "ASC", "DESCENDING", "DESC", "UNION", "ALL", "AS", "CALL", "OR", "XOR", "AND", "NOT", "IN",
    "STARTS", "ENDS", "CONTAINS", "IS", "NULL", "TRUE", "FALSE", "CASE", "WHEN", "THEN", "ELSE", "END",
    "EXISTS", "COUNT",
})
_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
_GLUE = "\x00"  # marks a part written without a space before it; never in a statement (strings refuse NUL)
_UNICODE_ESCAPE = re.compile(r"u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})")


class StatementSyntaxError(StatementRefused):
    """A statement the read-only grammar cannot parse."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "Neo.ClientError.Statement.SyntaxError")


@dataclass(frozen=True)
class CheckedStatement:
    """A statement that passed the check.

    Attributes
    ----------
    text : str
        The canonical statement the engine runs (rebuilt from the parse tree).
    parameters : dict of str to str
        The client's name of each parameter it uses (without ``$``), mapped to the name in ``text``:
        parameters are renamed ``p0``, ``p1``, ... so that no client's name can read as a keyword.
    """

    text: str
    parameters: dict[str, str]

    def bind(self, values: dict[str, object]) -> dict[str, object]:
        """The client's parameter values under the names the rewrite uses.

        Examples
        --------
        >>> check_statement("RETURN $when").bind({"when": 1, "unused": 2})
        {'p0': 1}
        """
        return {internal: values[name] for name, internal in self.parameters.items() if name in values}


@cache
def _parser() -> Lark:
    return Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", keep_all_tokens=True,
                propagate_positions=False)


def check_statement(statement: str, *, expand_label: Callable[[str], Iterable[str]] | None = None
                    ) -> CheckedStatement:
    """Parse a statement against the read-only grammar; its canonical text, or a refusal saying why.

    Parameters
    ----------
    statement : str
        Cypher as the client sent it.
    expand_label : callable, optional
        Maps a node label to the tables it stands for (a superclass to its subclasses); by default a
        label stands for itself.

    Returns
    -------
    CheckedStatement
        The text to run and the parameters it names.

    Raises
    ------
    StatementSyntaxError
        The statement is not in the read-only grammar (the message names line and column).
    StatementRefused
        The statement parses but names a refused clause, function or procedure, or is too large.

    Examples
    --------
    >>> check_statement("match (c:Charity) /* note */ where c.name = 'Set Create Club' return c").text
    "MATCH ( `c` : `Charity` ) WHERE `c` . `name` = 'Set Create Club' RETURN `c`"
    >>> check_statement("MATCH (c) DETACH DELETE c")
    Traceback (most recent call last):
    ...
    civicgraph.core.errors.StatementRefused: the endpoint is read-only: DETACH is not allowed (line 1, column 11)
    """
    if not isinstance(statement, str) or not statement.strip():
        raise StatementSyntaxError("the statement is empty")
    if len(statement) > MAX_STATEMENT_CHARS:
        raise StatementRefused(f"the statement is longer than {MAX_STATEMENT_CHARS} characters",
                               "Neo.ClientError.Request.Invalid")
    _check_nesting(statement)
    parser = _parser()
    try:
        tree = parser.parse(statement)
    except UnexpectedInput as error:
        raise _refusal(statement, error) from None
    except (LarkError, RecursionError) as error:
        raise StatementSyntaxError(f"the statement could not be parsed: {type(error).__name__}") from None
    writer = _Writer(expand_label or (lambda label: [label]))
    writer.visit(tree)
    return CheckedStatement(writer.text(), dict(writer.parameters))


def _check_nesting(statement: str) -> None:
    depth = deepest = 0
    for char in statement:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    if deepest > MAX_NESTING:
        raise StatementRefused(f"the statement nests brackets {deepest} deep; at most {MAX_NESTING} are allowed",
                               "Neo.ClientError.Request.Invalid")


def _refusal(statement: str, error: UnexpectedInput) -> StatementRefused:
    where = f"line {error.line}, column {error.column}" if getattr(error, "line", -1) not in (-1, None) else "the end"
    if isinstance(error, UnexpectedEOF):
        return StatementSyntaxError("the statement ends too early")
    if isinstance(error, UnexpectedToken):
        word = str(error.token)
    elif isinstance(error, UnexpectedCharacters):
        match = re.match(r"[A-Za-z_]+", statement[error.pos_in_stream:])
        word = match.group(0) if match else statement[error.pos_in_stream:error.pos_in_stream + 1]
    else:
        word = ""
    if word.upper() in REFUSED_CLAUSES:
        return StatementRefused(f"the endpoint is read-only: {word.upper()} is not allowed ({where})")
    if word == ";":
        return StatementRefused(f"one statement per request ({where})")
    shown = word if len(word) <= 40 else word[:40] + "..."
    return StatementSyntaxError(f"not read-only Cypher this endpoint accepts: unexpected {shown!r} ({where})")


def _quote_identifier(text: str) -> str:
    if "`" in text or any(ord(c) < 32 for c in text):
        raise StatementRefused(f"identifier {text!r} holds a backtick or a control character")
    return f"`{text}`"


def _decode_string(token: str) -> str:
    body, out, i = token[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        following = body[i + 1]
        if following in _ESCAPES:
            out.append(_ESCAPES[following])
            i += 2
            continue
        match = _UNICODE_ESCAPE.match(body, i + 1)
        if not match:
            raise StatementSyntaxError(f"unknown escape '\\{following}' in a string")
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise StatementSyntaxError(f"escape '\\{match.group(0)}' is not a character")
        out.append(chr(code))
        i = match.end()
    return "".join(out)


def quote_string(value: str) -> str:
    """A Cypher string literal for a value: single quotes, backslash escapes, no raw control character.

    Examples
    --------
    >>> quote_string("it's a \\\\ test")
    "'it\\\\'s a \\\\\\\\ test'"
    """
    out = []
    for char in value:
        if char in "\\'":
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif ord(char) < 32 or char == "\x7f":
            raise StatementRefused(f"a string holds the control character U+{ord(char):04X}")
        else:
            out.append(char)
    return "'" + "".join(out) + "'"


class _Writer:
    """Walks the parse tree, checks names against the allow-lists and writes the canonical statement."""

    def __init__(self, expand_label: Callable[[str], Iterable[str]]) -> None:
        self.expand_label = expand_label
        self.parts: list[str] = []
        self.parameters: dict[str, str] = {}

    def text(self) -> str:
        """The parts joined by single spaces, except before a comma and an index's bracket (the engine's
        grammar allows no space there)."""
        out: list[str] = []
        for part in self.parts:
            if out and (part == "," or part.startswith(_GLUE)):
                out[-1] += part.removeprefix(_GLUE)
            else:
                out.append(part)
        return " ".join(out)

    def _index(self, node: Tree) -> None:
        opening, *rest = node.children
        self.parts.append(_GLUE + str(opening))
        for child in rest:
            self.visit(child)

    def visit(self, node: Tree | Token) -> None:
        if isinstance(node, Token):
            self.parts.append(self._token(node))
            return
        special = getattr(self, f"_{node.data}", None)
        if special is not None:
            special(node)
            return
        for child in node.children:
            self.visit(child)

    def _token(self, token: Token) -> str:
        kind = token.type
        if kind in _KEYWORD_TYPES:
            return str(token).upper()
        if kind == "IDENTIFIER":
            return _quote_identifier(str(token))
        if kind == "QUOTED_IDENTIFIER":
            return _quote_identifier(str(token)[1:-1])
        if kind == "STRING":
            return quote_string(_decode_string(str(token)))
        if kind == "PARAMETER":
            internal = self.parameters.setdefault(str(token)[1:], f"p{len(self.parameters)}")
            return f"${internal}"
        return str(token)

    def _key(self, node: Tree) -> None:
        token = node.children[0]
        self.parts.append(_quote_identifier(self._name_text(token) if isinstance(token, Tree) else str(token)))

    def _name(self, node: Tree) -> None:
        self.parts.append(_quote_identifier(self._name_text(node)))

    @staticmethod
    def _name_text(name: Tree) -> str:
        token = name.children[0]
        return str(token)[1:-1] if token.type == "QUOTED_IDENTIFIER" else str(token)

    def _node_labels(self, node: Tree) -> None:
        tables: list[str] = []
        for child in node.children:
            if isinstance(child, Tree) and child.data == "name":
                tables.extend(t for t in self.expand_label(self._name_text(child)) if t not in tables)
        for table in tables:
            self.parts.extend([":", _quote_identifier(table)])

    def _relationship_types(self, node: Tree) -> None:
        names = [self._name_text(c) for c in node.children if isinstance(c, Tree) and c.data == "name"]
        self.parts.append(":" + " | ".join(_quote_identifier(n) for n in names))

    def _function_call(self, node: Tree) -> None:
        names = [self._name_text(c) for c in node.children if isinstance(c, Tree) and c.data == "name"]
        if len(names) > 1 or names[0].lower() not in FUNCTIONS:
            raise StatementRefused(f"function {'.'.join(names)}() is not on the endpoint's list of read-only functions")
        self.parts.append(names[0].lower())
        for child in node.children[1:]:
            self.visit(child)

    def _schema_call(self, node: Tree) -> None:
        name = self._name_text(next(c for c in node.children if isinstance(c, Tree) and c.data == "name"))
        if name.lower() not in PROCEDURES:
            raise StatementRefused(f"CALL {name}() is not allowed; the endpoint lists the schema with "
                                   f"{', '.join(f'CALL {p}()' for p in sorted(PROCEDURES))}")
        self.parts.extend(["CALL", name.lower()])
        for child in node.children[2:]:
            self.visit(child)
