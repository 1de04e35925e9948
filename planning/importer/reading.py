"""Reading an export file as it is: CSV in any common encoding and delimiter, Excel .xlsx / .xls, Parquet.

`read_source` reads a file whole; `source_batches` reads a large one (`is_large`) in record batches of
CHUNK_ROWS rows with the same column names, types and missing cells (CSV through DuckDB's parser, or pandas'
chunked reader for encodings DuckDB does not decode; Parquet through pyarrow).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from planning.data import types_mapper
from planning.errors import DataError
from planning.importer.mapping import TableMapping

# Above this size a CSV / Parquet file is imported in record batches (engine: auto).
DUCKDB_MIN_BYTES = 64 << 20
# Rows per record batch on the large path (memory per batch ~ rows x source columns).
CHUNK_ROWS = 256 * 1024
# DuckDB's memory limit on the large path (sorting orders spills to a temporary folder beyond it).
DUCKDB_MEMORY = "1GB"


# Single-byte code pages charset-normalizer often finds equally plausible for a short Western export: the
# Windows default for Western Europe and the Americas wins a tie (0xF1 is 'ñ' there, 'ń' in cp1250).
_PREFERRED_TIES = ("cp1252", "latin_1", "gb18030", "utf_8")


def detect_encoding(path: Path, sample_bytes: int = 4 << 20) -> tuple[str, float, str]:
    """(encoding, confidence 0..1, how it was found) of a text file: a byte-order mark, else UTF-8 when the
    sample decodes as UTF-8, else charset-normalizer's least-chaotic decoding of the sample (ties go to
    cp1252, the Windows code page of Western exports; confidence = 1 - its chaos ratio)."""
    with open(path, "rb") as fh:
        head = fh.read(sample_bytes)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", 1.0, "byte-order mark"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", 1.0, "byte-order mark"
    if len(head) == sample_bytes:  # cut at a character boundary: drop a possibly split last line
        head = head[: head.rfind(b"\n") + 1] or head
    try:
        head.decode("utf-8")
        return "utf-8", 1.0, "decodes as UTF-8"
    except UnicodeDecodeError:
        pass
    # lazy: only files that are not UTF-8 need the detector (~40 ms to import)
    import charset_normalizer

    found = list(charset_normalizer.from_bytes(head))
    if not found:
        return "latin-1", 0.0, "charset-normalizer found no decoding; read as latin-1"
    least = min(m.chaos for m in found)
    tied = [m for m in found if m.chaos <= least]
    # a match stands for every code page that decodes the sample to the same text (`could_be_from_charset`)
    names = [(e, m) for e in _PREFERRED_TIES for m in tied if e in (m.encoding, *m.could_be_from_charset)]
    enc, pick = names[0] if names else (tied[0].encoding, tied[0])
    others = [m.encoding for m in tied if m is not pick][:3]
    how = "charset-normalizer" + (f"; as plausible: {', '.join(others)}" if others else "")
    return enc, round(1.0 - float(pick.chaos), 3), how


def _sniff_delimiter(path: Path, encoding: str, skip_rows: int) -> str:
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        lines = [fh.readline() for _ in range(skip_rows + 1)]
    header = lines[-1]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def format_of(path: Path, tm: TableMapping) -> str:
    if tm.format != "auto":
        return tm.format
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return "excel"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    return "csv"


def is_large(path: Path, tm: TableMapping, fmt: str) -> bool:
    """Whether `materialize` imports the file in record batches (CSV / Parquet over DUCKDB_MIN_BYTES, or
    `engine: duckdb`); Excel files are always read whole."""
    if fmt not in ("csv", "parquet") or tm.engine == "pandas":
        return False
    return tm.engine == "duckdb" or path.stat().st_size >= DUCKDB_MIN_BYTES


def _csv_options(path: Path, tm: TableMapping, info: dict[str, Any]) -> tuple[str, str]:
    if tm.encoding == "auto":
        enc, confidence, how = detect_encoding(path)
        info.update(encoding_confidence=confidence, encoding_detected_by=how)
    else:
        enc = tm.encoding
        info.update(encoding_confidence=1.0, encoding_detected_by="set in the mapping")
    delim = _sniff_delimiter(path, enc, tm.skip_rows) if tm.delimiter == "auto" else tm.delimiter
    info.update(encoding=enc, delimiter=delim)
    return enc, delim


def _duckdb_csv_sql(path: Path, tm: TableMapping, enc: str, delim: str) -> str | None:
    """DuckDB `read_csv` of the file with every cell as text and empty cells missing (as pandas reads it),
    or None for an encoding DuckDB does not decode (then pandas reads the file)."""
    duck_enc = {
        "utf-8": "utf-8",
        "utf_8": "utf-8",
        "utf-8-sig": "utf-8",
        "latin-1": "latin-1",
        "latin_1": "latin-1",
    }.get(enc.lower())
    if duck_enc is None:
        return None
    return (
        f"SELECT * FROM read_csv({sql_str(path)}, all_varchar=true, header=true, "
        f"delim={sql_str(delim)}, quote='\"', escape='\"', skip={tm.skip_rows}, "
        f"encoding={sql_str(duck_enc)}, nullstr='', null_padding=false, strict_mode=true)"
    )


def _pandas_csv_args(tm: TableMapping, enc: str, delim: str) -> dict[str, Any]:
    return dict(
        sep=delim,
        encoding=enc,
        dtype=str,
        keep_default_na=False,
        na_values=[],
        skiprows=tm.skip_rows,
        skipinitialspace=False,
    )


def read_source(path: Path, tm: TableMapping) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read one input file whole, as it is: CSV cells as text (nothing turned into NaN except empty cells),
    Excel and Parquet cells with their stored types (Parquet dictionary text as plain text, dates as
    datetime64).

    In: the file and its table mapping (format, sheet, encoding, delimiter, skip_rows, engine). Out: (frame with
    the file's columns in file order, info {format, encoding, delimiter, engine}). Raises DataError when the file
    cannot be read. `materialize` reads large files in record batches instead (`source_batches`).
    """
    fmt = format_of(path, tm)
    info: dict[str, Any] = {"file": str(path), "format": fmt}
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty")
    duck = tm.engine == "duckdb" or (tm.engine == "auto" and path.stat().st_size >= DUCKDB_MIN_BYTES)
    try:
        if fmt == "excel":
            # calamine reads the legacy .xls format (pandas deprecates its xlrd engine); openpyxl reads .xlsx
            engine = "calamine" if path.suffix.lower() == ".xls" else "openpyxl"
            info["engine"] = engine
            df = pd.read_excel(
                path, sheet_name=tm.sheet, dtype=object, skiprows=tm.skip_rows, engine=engine, na_filter=False
            )
            df = df.replace("", None)  # an empty cell is missing; text "NA" stays text
        elif fmt == "parquet":
            # lazy: +11 ms at kernel start (notebook.setup imports the importer via planning.sources)
            import pyarrow.parquet as pq

            info["engine"] = "pyarrow"
            df = _arrow_frame(pq.read_table(path))
        else:
            enc, delim = _csv_options(path, tm, info)
            sql = _duckdb_csv_sql(path, tm, enc, delim) if duck else None
            if sql is not None:
                info["engine"] = "duckdb"
                con = connect()
                try:
                    df = _arrow_frame(con.sql(sql).to_arrow_table())
                finally:
                    con.close()
            else:
                info["engine"] = "pandas"
                df = pd.read_csv(path, **_pandas_csv_args(tm, enc, delim)).replace("", None)
    except DataError:
        raise
    except Exception as exc:  # pandas / pyarrow / duckdb / calamine / openpyxl raise their own types
        raise DataError(f"{path}: cannot be read as {fmt} ({type(exc).__name__}: {exc})") from None
    df.columns = _clean_names(df.columns)
    return df.reset_index(drop=True), info


def source_batches(path: Path, tm: TableMapping, info: dict[str, Any]) -> Iterator[pd.DataFrame]:
    """The file in record batches of at most CHUNK_ROWS rows, in file order, each as `read_source` would
    read it (same column names, types and missing cells). CSV through DuckDB (pandas' chunked reader for
    encodings DuckDB does not decode, e.g. GB18030), Parquet through pyarrow. Yields at least one (possibly
    empty) frame. Raises DataError when the file cannot be read."""
    fmt = info["format"]
    con = None
    try:
        if fmt == "parquet":
            # lazy: +11 ms at kernel start (notebook.setup imports the importer via planning.sources)
            import pyarrow.parquet as pq

            info["engine"] = "pyarrow"
            pf = pq.ParquetFile(path)
            batches: Iterator[Any] = pf.iter_batches(batch_size=CHUNK_ROWS)
            schema = pf.schema_arrow
        else:
            enc, delim = _csv_options(path, tm, info)
            sql = _duckdb_csv_sql(path, tm, enc, delim)
            if sql is None:
                info["engine"] = "pandas"
                reader = pd.read_csv(path, chunksize=CHUNK_ROWS, **_pandas_csv_args(tm, enc, delim))
                n = 0
                for chunk in reader:
                    chunk.columns = _clean_names(chunk.columns)
                    n += 1
                    yield chunk.replace("", None).reset_index(drop=True)
                if n == 0:
                    head = pd.read_csv(path, nrows=0, **_pandas_csv_args(tm, enc, delim))
                    yield pd.DataFrame(columns=_clean_names(head.columns), dtype="str")
                return
            info["engine"] = "duckdb"
            con = connect()
            schema = None
            batches = con.sql(sql).to_arrow_reader(CHUNK_ROWS)
        n = 0
        for table in _rebatch(batches):
            n += 1
            df = _arrow_frame(table)
            df.columns = _clean_names(df.columns)
            yield df
        if n == 0:
            empty = schema.empty_table() if schema is not None else batches.schema.empty_table()
            df = _arrow_frame(empty)
            df.columns = _clean_names(df.columns)
            yield df
    except DataError:
        raise
    except Exception as exc:
        raise DataError(f"{path}: cannot be read as {fmt} ({type(exc).__name__}: {exc})") from None
    finally:
        if con is not None:
            con.close()


def _rebatch(batches: Iterator[Any]) -> Iterator[Any]:
    """Arrow record batches of any size (DuckDB's follow its threads) -> tables of exactly CHUNK_ROWS rows,
    the last one shorter."""
    buffer, n = [], 0
    for batch in batches:
        buffer.append(batch)
        n += batch.num_rows
        while n >= CHUNK_ROWS:
            t = pa.Table.from_batches(buffer).combine_chunks()
            yield t.slice(0, CHUNK_ROWS)
            rest = t.slice(CHUNK_ROWS)
            buffer, n = rest.to_batches(), rest.num_rows
    if n:
        yield pa.Table.from_batches(buffer)


def _clean_names(columns: Any) -> list[str]:
    return [str(c).strip().lstrip("\ufeff") for c in columns]


def sql_str(x: Any) -> str:
    return "'" + str(x).replace("'", "''") + "'"


def sql_name(x: str) -> str:
    return '"' + x.replace('"', '""') + '"'


def connect(work_dir: Path | None = None) -> Any:
    """An in-memory DuckDB connection that keeps the file order and stays within DUCKDB_MEMORY (spilling
    to `work_dir`)."""
    # lazy: +45 ms at kernel start (notebook.setup imports the importer via planning.sources)
    import duckdb

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.execute(f"SET memory_limit = {sql_str(DUCKDB_MEMORY)}")
    if work_dir is not None:
        con.execute(f"SET temp_directory = {sql_str(work_dir)}")
    return con


def _arrow_frame(table: Any) -> pd.DataFrame:
    """Arrow -> pandas as an export is read: dictionary-encoded text decoded to plain text (a column is text
    whether or not the writer dictionary-encoded it), calendar dates as datetime64[us], text as `str`."""
    cols = []
    for col in table.columns:
        t = col.type
        if pa.types.is_dictionary(t) and (
            pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)
        ):
            col = pc.cast(col, pa.string())
        elif pa.types.is_date32(t) or pa.types.is_date64(t):
            col = pc.cast(col, pa.timestamp("us"))
        cols.append(col)

    return pa.table(cols, names=table.column_names).to_pandas(types_mapper=types_mapper)
