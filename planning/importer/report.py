"""The import's accounting: what happened to every input row (kept, fixed how, dropped why), per table.

`Findings` collects the outcome of one table (or one record batch of it), `Accumulated` merges the batches of
a large file call by call, `ImportReport` is what an import returns and stores next to the canonical tables
(`import.json`, `validation.csv`), read back by `report_of`.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPORT_FILE = "import.json"  # summary + findings, next to the canonical tables
FINDINGS_FILE = "validation.csv"  # the findings as a table
_EXAMPLES = 3


def _info_record(call: int, table: str, check: str, column: str, rows: int, detail: str) -> dict[str, Any]:
    """A report record saying how a column was built (an "info" outcome: no example rows, no codes)."""
    return {
        "call": call,
        "table": table,
        "outcome": "info",
        "check": check,
        "column": column,
        "rows": rows,
        "detail": detail,
        "examples": [],
        "codes": None,
    }


class Findings:
    """Collects what happened to the rows of one table (or one record batch of it); every dropped row is
    counted once (first reason).

    Each call of drop / fix / note / info is numbered in call order whether or not it matched a row, so the
    findings of the record batches of a large file line up call by call (`Accumulated`).
    """

    def __init__(self, table: str, n: int, rows: np.ndarray):
        self.table = table
        self.alive = np.ones(n, bool)
        self.fixed = np.zeros(n, bool)
        self.rows = rows  # each frame row's number as the user finds it in the file (transform.first_row)
        self.kept_rows: np.ndarray | None = None  # rows of the kept rows in output order (import_table)
        self.records: list[dict[str, Any]] = []  # items with their call number, example list and codes
        self.labels: dict[str, dict[tuple[str, str], int]] = {}  # key column -> (key, text) -> rows
        self._calls = 0

    @property
    def items(self) -> list[dict[str, Any]]:
        """The findings as FINDING_COLUMNS records, in call order."""
        return [_public(r) for r in self.records]

    def _examples(self, mask: np.ndarray, values: pd.Series | None) -> list[str]:
        pos = np.flatnonzero(mask)[:_EXAMPLES]
        parts = []
        for p in pos:
            v = "" if values is None else values.iloc[p]
            v = "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
            parts.append(
                f"row {int(self.rows[p])}: {v[:60]!r}" if values is not None else f"row {self.rows[p]}"
            )
        return parts

    def _record(self, outcome, check, column, mask, detail, values, codes=None) -> np.ndarray:
        self._calls += 1
        mask = np.asarray(mask, bool) & self.alive
        n = int(mask.sum())
        if n:
            self.records.append(
                {
                    "call": self._calls,
                    "table": self.table,
                    "outcome": outcome,
                    "check": check,
                    "column": column,
                    "rows": n,
                    "detail": detail,
                    "examples": self._examples(mask, values),
                    "codes": codes,
                }
            )
        return mask

    def drop(self, mask, check: str, column: str, detail: str, values: pd.Series | None = None) -> None:
        self.alive &= ~self._record("dropped", check, column, mask, detail, values)

    def fix(self, mask, check: str, column: str, detail: str, values: pd.Series | None = None) -> None:
        self.fixed |= self._record("fixed", check, column, mask, detail, values)

    def fix_missing(self, mask, column: str, values: pd.Series) -> None:
        """Missing codes read as missing; the detail lists the codes found (merged over record batches)."""
        codes = set(values[np.asarray(mask, bool) & self.alive].tolist())
        self.fixed |= self._record("fixed", "missing_code", column, mask, "", values, codes)

    def note(self, mask, check: str, column: str, detail: str, values: pd.Series | None = None) -> None:
        """Kept as it is, but worth a look (e.g. values not in a value map, duplicates kept)."""
        self._record("warning", check, column, mask, detail, values)

    def flag(self, mask, check: str, column: str, detail: str, values: pd.Series | None = None) -> None:
        """Kept, and marked for what it is (e.g. a placeholder customer), with example rows: an `info` line."""
        self._record("info", check, column, mask, detail, values)

    def count_labels(self, column: str, keys: pd.Series, texts: pd.Series) -> None:
        """Count each (key, the export's text) of the kept rows of a key column: the key's display name is its
        most frequent text (`labels_of`)."""
        pairs = pd.DataFrame({"k": keys, "t": texts})[self.alive & keys.notna().to_numpy()]
        if len(pairs):
            have = self.labels.setdefault(column, {})
            for (k, t), n in pairs.value_counts(sort=False).items():
                have[(k, t)] = have.get((k, t), 0) + int(n)

    def info(self, check: str, column: str, n: int, detail: str) -> None:
        """How a column was built (derived, numbered): every kept row, not a problem."""
        self._calls += 1
        if n:
            self.records.append(_info_record(self._calls, self.table, check, column, n, detail))


def _public(r: dict[str, Any]) -> dict[str, Any]:
    detail = f"{sorted(r['codes'])} read as missing" if r["codes"] is not None else r["detail"]
    return {
        "table": r["table"],
        "outcome": r["outcome"],
        "check": r["check"],
        "column": r["column"],
        "rows": r["rows"],
        "detail": detail,
        "examples": "; ".join(r["examples"][:_EXAMPLES]),
    }


class Accumulated:
    """The findings of a table imported in record batches: per call (see `Findings`) the rows summed, the
    first three example rows of the file and the union of missing codes, plus the row accounting."""

    def __init__(self, table: str):
        self.table = table
        self.by_call: dict[int, dict[str, Any]] = {}
        self.labels: dict[str, dict[tuple[str, str], int]] = {}  # as Findings.labels, over every batch
        self.rows_read = self.rows_kept = self.rows_fixed = self.rows_dropped = 0
        self._last_call = 0

    def add(self, f: Findings) -> None:
        for col, pairs in f.labels.items():
            have = self.labels.setdefault(col, {})
            for kt, n in pairs.items():
                have[kt] = have.get(kt, 0) + n
        self.rows_read += len(f.alive)
        self.rows_kept += int(f.alive.sum())
        self.rows_fixed += int((f.fixed & f.alive).sum())
        self.rows_dropped += int((~f.alive).sum())
        self._last_call = max(self._last_call, f._calls)
        for r in f.records:
            have = self.by_call.get(r["call"])
            if have is None:
                self.by_call[r["call"]] = {**r, "examples": list(r["examples"])}
                continue
            if (have["outcome"], have["check"], have["column"]) != (r["outcome"], r["check"], r["column"]):
                raise AssertionError(f"findings of record batches do not line up: {have} / {r}")
            have["rows"] += r["rows"]
            have["examples"] = (have["examples"] + r["examples"])[:_EXAMPLES]
            if r["codes"] is not None:
                have["codes"] = have["codes"] | r["codes"]

    def info(self, check: str, column: str, n: int, detail: str) -> None:
        """A finding about the whole table, after the last record batch (e.g. line numbers)."""
        self._last_call += 1
        if n:
            self.by_call[self._last_call] = _info_record(
                self._last_call, self.table, check, column, n, detail
            )

    @property
    def items(self) -> list[dict[str, Any]]:
        return [_public(self.by_call[k]) for k in sorted(self.by_call)]


def labels_of(counts: dict[str, dict[tuple[str, str], int]]) -> dict[str, dict[str, str]]:
    """Display names of the keys of each key column: the export's most frequent text of the key, where every
    text of the key is one spelling written in other cases or spacing (`Office Supplies` for office_supplies);
    none where a value map gathered different texts into the key (several ship modes -> `online`) or the text is
    the key itself."""
    out: dict[str, dict[str, str]] = {}
    for col, pairs in counts.items():
        by_key: dict[str, list[tuple[int, str]]] = {}
        for (k, t), n in pairs.items():
            by_key.setdefault(str(k), []).append((-n, str(t)))
        names = {}
        for k, texts in sorted(by_key.items()):
            spellings = {" ".join(t.lower().replace("_", " ").split()) for _, t in texts}
            best = min(texts)[1]
            if len(spellings) == 1 and best and best != k:
                names[k] = best
        if names:
            out[col] = names
    return out


def spelling_items(table: str, counts: dict[str, dict[tuple[str, str], int]]) -> list[dict[str, Any]]:
    """`info` findings of a key written several ways in the export (`Office Supplies`, `office supplies`): the
    rows of the less frequent spellings, merged into the key (and shown by its most frequent text). From the
    counts of the whole file, so the same for a file read whole or in record batches."""
    items = []
    for col, pairs in counts.items():
        by_key: dict[str, list[tuple[int, str]]] = {}
        for (k, t), n in pairs.items():
            by_key.setdefault(str(k), []).append((-n, str(t)))
        merged = []
        for _key, texts in sorted(by_key.items()):
            texts.sort()
            if len(texts) > 1 and len({" ".join(t.lower().replace("_", " ").split()) for _, t in texts}) == 1:
                merged += [(-n, t, texts[0][1]) for n, t in texts[1:]]
        if merged:
            examples = [f"{t!r} ({n}x) -> {main!r}" for n, t, main in merged[:_EXAMPLES]]
            items.append(
                {
                    **_public(
                        _info_record(
                            0,
                            table,
                            "key_spelling",
                            col,
                            sum(n for n, _, _ in merged),
                            "spellings of one key merged (case and spacing)",
                        )
                    ),
                    "examples": "; ".join(examples),
                }  # fmt: skip
            )
    return items


FINDING_COLUMNS = ["table", "outcome", "check", "column", "rows", "detail", "examples"]
SUMMARY_COLUMNS = ["table", "file", "rows_read", "rows_kept", "rows_fixed", "rows_dropped", "amount"]


@dataclasses.dataclass
class ImportReport:
    """What an import did: per table rows read / kept / fixed / dropped, and every finding.

    `summary` has SUMMARY_COLUMNS (rows_read == rows_kept + rows_dropped per table; `amount` = sum of the
    kept rows' amount where the table has one); `findings` has FINDING_COLUMNS, one row per problem with
    `outcome` dropped | fixed | warning, the number of rows, what was done and up to three example rows.
    """

    key: str
    mapping: str
    summary: pd.DataFrame
    findings: pd.DataFrame
    sources: dict[str, dict[str, Any]]
    regions: dict[str, dict[str, float]]  # region -> {rows, amount} of the kept orders
    data_dir: str = ""
    placeholders: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # column -> values filled
    labels: dict[str, dict[str, dict[str, str]]] = dataclasses.field(default_factory=dict)  # see labels_of

    @property
    def complete(self) -> bool:
        """Every input row accounted for (kept or dropped with a reason)."""
        s = self.summary
        return bool((s["rows_read"] == s["rows_kept"] + s["rows_dropped"]).all())

    def to_json(self) -> str:
        return json.dumps(
            {
                "key": self.key,
                "mapping": self.mapping,
                "data_dir": self.data_dir,
                "summary": self.summary.astype(object).where(self.summary.notna(), None).to_dict("records"),
                "findings": self.findings.to_dict("records"),
                "sources": self.sources,
                "regions": self.regions,
                "placeholders": self.placeholders,
                "labels": self.labels,
            },
            indent=2,
            ensure_ascii=False,
            default=str,
        )

    @classmethod
    def from_json(cls, text: str) -> ImportReport:
        d = json.loads(text)
        return cls(
            key=d["key"],
            mapping=d["mapping"],
            summary=pd.DataFrame(d["summary"], columns=SUMMARY_COLUMNS),
            findings=pd.DataFrame(d["findings"], columns=FINDING_COLUMNS),
            sources=d["sources"],
            regions=d["regions"],
            data_dir=d.get("data_dir", ""),
            placeholders=d.get("placeholders", {}),
            labels=d.get("labels", {}),
        )

    def lines(self) -> list[str]:
        """Plain-text report for `planning check`."""
        out = []
        for r in self.summary.itertuples():
            total = (
                f", amount {r.amount:,.2f}" if isinstance(r.amount, float) and r.amount == r.amount else ""
            )
            out.append(
                f"{r.table}: {r.rows_read} rows read from {Path(r.file).name}: {r.rows_kept} kept "
                f"({r.rows_fixed} fixed), {r.rows_dropped} dropped{total}"
            )
        for region, v in self.regions.items():
            out.append(f"  orders of region {region}: {v['rows']} rows, amount {v['amount']:,.2f}")
        for f in self.findings.itertuples():
            ex = f" [{f.examples}]" if isinstance(f.examples, str) and f.examples else ""
            out.append(f"  {f.outcome:<8} {f.table}.{f.column}: {f.rows} rows: {f.detail}{ex}")
        return out


@dataclasses.dataclass
class TableResult:
    rows_read: int
    rows_kept: int
    rows_fixed: int
    rows_dropped: int
    items: list[dict[str, Any]]
    info: dict[str, Any]
    labels: dict[str, dict[tuple[str, str], int]] = dataclasses.field(default_factory=dict)


def report_of(data_dir: str | os.PathLike) -> ImportReport | None:
    """The import report stored with an imported data folder (None for a folder that was not imported)."""
    p = Path(data_dir) / REPORT_FILE
    return ImportReport.from_json(p.read_text(encoding="utf-8")) if p.is_file() else None
