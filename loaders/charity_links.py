"""Links between charities and companies published as lookup tables (drkane/charity-lookups layout).

One loader reads three layouts, told apart by their columns:

* ``org_id_a, org_id_b, relationship, ...`` (charity parent relationships): ``b -MEMBER_OF-> a``
  for federated charities (Age UK Hounslow in the Age UK federation), from ``valid_from`` to
  ``valid_to`` where given (else dated as of the file's date); the parent is added by name,
  the member's register name enriches it where it is in the graph (and lets resolution find it).
* ``org_id_a, org_id_b, name`` (charity number to company number): the two identifiers are one
  organisation; applied only to organisations already in the graph.
* ``transferor_regno, transferee_regno, ...`` (the register of mergers): ``transferee -SUCCEEDS->
  transferor`` with the date the merger was registered.

Links whose ends are not in the graph are dropped quietly: these are national tables.
"""

from __future__ import annotations

from pathlib import Path

from civicgraph.core.columns import is_missing
from civicgraph.core.errors import SourceFormatError
from civicgraph.core.identifiers import charity_id, local_group_id
from civicgraph.loaders.base import LoadContext, Loader, LoadResult, RecordSink
from civicgraph.loaders.tabular import parse_date, read_csv_text


class CharityLinksLoader(Loader):
    """Charity parent relationships, charity-company numbers and mergers, as lookup CSV files."""

    name = "charity-links"
    title = "Charity relationships, company numbers and mergers (charity-lookups)"
    source_url = "https://github.com/drkane/charity-lookups"
    licence = "ODbL-1.0"

    def load(self, path: Path, context: LoadContext, *, date: str = "") -> LoadResult:
        """Read one lookup file; the layout is recognised from its columns.

        Examples
        --------
        >>> ctx = LoadContext("E09000018", "GB-LAE-HNS", "Hounslow")
        >>> result = CharityLinksLoader().load(Path("tests/fixtures/charity_links/hounslow_ccew_mergers.csv"), ctx)
        >>> result.summary()["edges"]
        {'SUCCEEDS': 8}
        """
        frame = read_csv_text(path)
        sink = RecordSink(self.name, path)
        code = context.authority_id.rsplit("-", 1)[-1]
        columns = set(frame.columns)
        if {"org_id_a", "org_id_b", "relationship"} <= columns:
            for number, row in enumerate(frame.to_dict("records")):  # dicts: iterrows makes a Series per row
                prov = sink.provenance(f"row {number + 2}", date, self.licence)
                parent, child = row["org_id_a"], row["org_id_b"]
                if is_missing(parent) or is_missing(child):
                    sink.reject(number + 2, "org_id_a" if is_missing(parent) else "org_id_b", "", "no identifier")
                    continue
                span = {column: parse_date(str(row[column])) for column in ("valid_from", "valid_to")
                        if not is_missing(row.get(column))}
                if bad := [column for column, day in span.items() if day is None]:
                    sink.reject(number + 2, bad[0], row[bad[0]], "not a date (YYYY-MM-DD)")
                    continue
                if not is_missing(row.get("org_name_b")):
                    sink.node(parent, "Charity", prov, name=str(row["org_name_b"]).strip())
                if not is_missing(row.get("org_name_a")):  # the register's name of the member charity
                    sink.node(child, "Charity", prov, name=str(row["org_name_a"]).strip(), enrich_only=True)
                sink.edge(child, parent, "MEMBER_OF", prov, enrich_only=True, role=str(row["relationship"]),
                          note=None if is_missing(row.get("source")) else str(row["source"]),
                          start_date=span.get("valid_from"), end_date=span.get("valid_to"),
                          date=None if span else date[:10] or None)
            return sink.result("links kept where the child charity is in the graph")
        if {"org_id_a", "org_id_b"} <= columns:
            for number, row in enumerate(frame.to_dict("records")):  # dicts: iterrows makes a Series per row
                if is_missing(row["org_id_a"]) or is_missing(row["org_id_b"]):
                    sink.reject(number + 2, "org_id_a", "", "no identifier")
                    continue
                sink.node(row["org_id_a"].strip(), "Organisation", sink.provenance(f"row {number + 2}", date, self.licence),
                          enrich_only=True, other_ids=[row["org_id_b"].strip()])
            return sink.result("pairs applied to organisations in the graph")
        if {"transferor_regno", "transferee_regno"} <= columns:
            for number, row in enumerate(frame.to_dict("records")):  # dicts: iterrows makes a Series per row
                prov = sink.provenance(f"row {number + 2}", date, self.licence)
                ids = {}
                for column in ("transferor_regno", "transferee_regno"):
                    try:
                        ids[column] = None if is_missing(row[column]) else charity_id(int(float(row[column])))
                    except ValueError:
                        sink.reject(number + 2, column, row[column], "not a charity number")
                if len(ids) < 2 or ids["transferee_regno"] is None:
                    if len(ids) == 2:
                        sink.reject(number + 2, "transferee_regno", "", "no charity number")
                    continue
                old_name = str(row["transferor_name"]).strip()
                # exempt and unregistered charities have no number: our LOCAL- scheme names them
                old = ids["transferor_regno"] or local_group_id(code, old_name)
                new = ids["transferee_regno"]
                registered = None if is_missing(row.get("date_merger_registered")) else str(row["date_merger_registered"])[:10]
                sink.node(old, "Charity" if ids["transferor_regno"] else "Organisation", prov, name=old_name,
                          status="Removed", removal_date=registered)
                sink.node(new, "Charity", prov, name=str(row["transferee_name"]).strip())
                sink.edge(new, old, "SUCCEEDS", prov, date=registered, note="merger: the transferee took on the transferor")
            return sink.result("mergers of charities in the file")
        raise SourceFormatError(f"{path.name} row 1 (header): not a known charity-lookups layout; expected "
                                "org_id_a, org_id_b[, relationship] or transferor_regno, transferee_regno")
