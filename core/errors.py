"""Exceptions people can act on. Each subclasses a built-in so callers may catch broadly."""

from __future__ import annotations


class SourceFormatError(ValueError):
    """A source file is not in the expected format. The message names the file, row and field.

    Examples
    --------
    >>> str(SourceFormatError("grants.csv row 5, field Amount Awarded: 'n/a' is not a number"))
    "grants.csv row 5, field Amount Awarded: 'n/a' is not a number"
    """


class UnknownTermError(KeyError):
    """A node kind, relation or attribute is not in the ontology; the message lists the valid ones."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnknownLoaderError(KeyError):
    """No loader is registered under the name asked for; the message lists the registered ones."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ConfigError(ValueError):
    """A build configuration file is invalid; the message names the file and the key."""


class GraphStoreError(OSError):
    """A saved graph folder is missing, incomplete or from an incompatible version."""


class GraphValidationError(ValueError):
    """The built graph breaks the ontology's SHACL shapes; the message lists the first violations."""


class CypherStoreError(OSError):
    """The Cypher database could not be written (a full disk, a file size limit); nothing was kept.

    Examples
    --------
    >>> str(CypherStoreError("out/cypher: the Cypher database could not be written (disk full?)"))
    'out/cypher: the Cypher database could not be written (disk full?)'
    """


class FetchError(OSError):
    """A download failed or did not match its checksum; the message names the URL."""


class OutputFolderError(ValueError):
    """An output folder cannot be written without losing something; the message names it and why."""


class SourceEncodingWarning(UserWarning):
    """A source file held bytes that are not text in its encoding; the message names file and line."""


class EndpointError(ValueError):
    """The Cypher endpoint cannot start as configured; the message says what to change."""


class Neo4jPushError(ConnectionError):
    """Neo4j could not be reached or refused the credentials; the message says which and where."""


class StatementRefused(PermissionError):
    """A Cypher statement outside the read-only allow-list; ``code`` is the Neo4j error code to report."""

    def __init__(self, message: str, code: str = "Neo.ClientError.Security.Forbidden") -> None:
        super().__init__(message)
        self.code = code
