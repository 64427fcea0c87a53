"""The questions as Cypher, runnable on the embedded database and on Neo4j.

Queries are written once with ``{Organisation}``-style placeholders for "any node of this kind or
its subclasses" and translated per dialect (:func:`translate`): LadybugDB has one table per kind and
matches a union of tables with ``(n:A:B)``; in Neo4j every node also carries its ancestors' labels
(see :mod:`cypher.neo4j_push`), so the placeholder is the one label ``(n:Organisation)``.

Money is summed as ``sum(r.amount_hundredths) / 100.0``: whole hundredths of the currency add up
exactly in both engines, and one division gives the total to the penny (``sum(r.amount)`` adds
floats and may print ``18303977.009999998``). Totals are per currency, never across currencies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from civicgraph.ontology.vocabulary import vocabulary

DIALECTS = ("ladybug", "neo4j")


@dataclass(frozen=True)
class Query:
    """A named question and its Cypher."""

    name: str
    question: str
    cypher: str


LIBRARY = (
    Query("funding_by_funder", "5. Grants in GBP by funder in the area (a grant to an individual is its own recipient)",
          "MATCH (o)-[r:FUNDED_BY]->(f:Funder) WHERE r.currency = 'GBP' "
          "RETURN f.name AS funder, sum(r.amount_hundredths) / 100.0 AS amount_gbp, count(r) AS grants_gbp, "
          "count(DISTINCT o) AS recipients ORDER BY amount_gbp DESC, funder"),
    Query("co_funding", "10. Funders that fund the same organisations",
          "MATCH (a:Funder)<-[:FUNDED_BY]-(o:{Organisation})-[:FUNDED_BY]->(b:Funder) WHERE a.name < b.name "
          "RETURN a.name AS funder_a, b.name AS funder_b, count(DISTINCT o) AS shared_recipients "
          "ORDER BY shared_recipients DESC, funder_a, funder_b"),
    Query("board_interlocks", "11. Organisations sharing trustees (pseudonymised)",
          "MATCH (a:{Organisation})<-[:TRUSTEE_OF]-(p:Person)-[:TRUSTEE_OF]->(b:{Organisation}) WHERE a.id < b.id "
          "RETURN a.name AS a_name, b.name AS b_name, count(DISTINCT p) AS shared_trustees "
          "ORDER BY shared_trustees DESC, a_name"),
    Query("contract_consolidation", "7. Contracts re-let from many providers to one",
          "MATCH (new:Contract)-[:SUCCEEDS]->(old:Contract) "
          "RETURN old.name AS contract, new.name AS successor, old.provider_count AS providers_before, "
          "new.provider_count AS providers_after"),
    Query("shared_support_functions", "3. Support bodies offering the same function",
          "MATCH (a:{Organisation})-[:OFFERS_FUNCTION]->(f:SupportFunction)<-[:OFFERS_FUNCTION]-(b:{Organisation}) "
          "WHERE a.name < b.name RETURN a.name AS a_name, b.name AS b_name, f.name AS function "
          "ORDER BY a_name, b_name, function"),
    Query("directorates_without_champion", "2. Directorates and teams without a sector champion",
          "MATCH (d:{Directorate}) WHERE d.sector_champion IS NULL OR d.sector_champion <> 'yes' "
          "RETURN d.name AS name ORDER BY name"),
    Query("unlinked_groups", "1. Organisations with no relation to any other organisation",
          "MATCH (o:{Organisation}) WHERE NOT (o)-[:FUNDED_BY|COMMISSIONED_BY|PAID_BY|MEMBER_OF|PARTNERS_WITH|"
          "CO_PRODUCES_WITH|SUPPORTS]-() RETURN count(o) AS organisations"),
    Query("asset_users", "6. Buildings and land: who uses them, on what terms",
          "MATCH (o:{Organisation})-[r:OCCUPIES]->(a:{Asset}) "
          "RETURN a.id AS id, a.name AS asset, count(DISTINCT o) AS users, collect(DISTINCT r.rent_terms) AS rent_terms "
          "ORDER BY users DESC, asset"),
    Query("forum_members", "8. Who sits on each forum",
          "MATCH (m:{Organisation})-[r:MEMBER_OF]->(f:Forum) "
          "RETURN f.name AS forum, m.name AS member, r.seniority AS seniority ORDER BY forum, member"),
    Query("organisations_by_ward", "12. Organisations placed in each ward",
          "MATCH (o:{Organisation})-[:LOCATED_IN]->(w:Ward) RETURN w.name AS ward, count(o) AS organisations "
          "ORDER BY organisations DESC, ward"),
)
_PLACEHOLDER = re.compile(r":\{([A-Za-z]+)\}")


_RELATIONS = re.compile(r"\[(\w*):([A-Z_|]+)\]")


def translate(cypher: str, dialect: str, *, kinds: set[str] | None = None, relations: set[str] | None = None) -> str:
    """The query in one dialect.

    Parameters
    ----------
    dialect : {"ladybug", "neo4j"}
    kinds : set of str, optional
        For LadybugDB, the node tables that exist (a union may only name existing tables).
    relations : set of str, optional
        For LadybugDB, the relationship tables that exist (likewise for ``[:A|B]``).

    Examples
    --------
    >>> translate("MATCH (d:{Directorate}) RETURN d", "neo4j")
    'MATCH (d:Directorate) RETURN d'
    >>> translate("MATCH (d:{Directorate}) RETURN d", "ladybug")
    'MATCH (d:Directorate) RETURN d'
    >>> translate("MATCH (p:{Partnership}) RETURN p", "ladybug", kinds={"Forum", "Partnership", "Ward"})
    'MATCH (p:Forum:Partnership) RETURN p'
    """
    if dialect not in DIALECTS:
        raise ValueError(f"dialect {dialect!r} is not supported. Use one of: {', '.join(DIALECTS)}.")
    if dialect == "neo4j":
        return _PLACEHOLDER.sub(lambda m: f":{m.group(1)}", cypher)
    vocab = vocabulary()

    def union(match: re.Match[str]) -> str:
        below = [k for k in vocab.kinds_under(match.group(1)) if kinds is None or k in kinds]
        return ":" + ":".join(below or [match.group(1)])

    def existing(match: re.Match[str]) -> str:
        names = [r for r in match.group(2).split("|") if relations is None or r in relations]
        return f"[{match.group(1)}:{'|'.join(names or match.group(2).split('|')[:1])}]"

    return _RELATIONS.sub(existing, _PLACEHOLDER.sub(union, cypher))



def library_examples(kinds: set[str], relations: set[str]) -> tuple[tuple[str, str], ...]:
    """The query library as (question, statement) pairs for a database with these tables.

    Examples
    --------
    >>> examples = dict(library_examples({"Charity", "Funder"}, {"FUNDED_BY"}))
    >>> examples["10. Funders that fund the same organisations"][:49]
    'MATCH (a:Funder)<-[:FUNDED_BY]-(o:Charity:Funder)'
    """
    return tuple((query.question, translate(query.cypher, "ladybug", kinds=kinds, relations=relations))
                 for query in LIBRARY)
