"""Refuse, before execution, any statement that could change the graph or reach outside it."""

from __future__ import annotations

import re

#: Clauses that write, load or export data, call procedures, or manage the database.
FORBIDDEN = frozenset({
    "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "ALTER", "COPY", "LOAD", "INSTALL", "ATTACH",
    "USE", "EXPORT", "IMPORT", "CALL", "CHECKPOINT", "BEGIN", "COMMIT", "ROLLBACK", "FOREACH",
})
_LITERALS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)


class StatementRefused(PermissionError):
    """A statement that writes, calls procedures or reaches files is refused; the message says why."""


def check_read_only(statement: str) -> str:
    """Return the statement if it only reads; raise :class:`StatementRefused` naming the clause otherwise.

    Keywords inside string literals, quoted names and comments do not count.

    Examples
    --------
    >>> check_read_only("MATCH (c:Charity) WHERE c.name = 'Set Create Club' RETURN c")
    "MATCH (c:Charity) WHERE c.name = 'Set Create Club' RETURN c"
    >>> check_read_only("MATCH (c) DETACH DELETE c")
    Traceback (most recent call last):
    ...
    cypher.guard.StatementRefused: the endpoint is read-only: DETACH is not allowed
    """
    if not statement or not statement.strip():
        raise StatementRefused("the statement is empty")
    words = re.findall(r"[A-Za-z_]+", _LITERALS.sub(" ", statement))
    for word in words:
        if word.upper() in FORBIDDEN:
            raise StatementRefused(f"the endpoint is read-only: {word.upper()} is not allowed")
    return statement
