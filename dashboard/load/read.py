"""Read any extract into text columns with the source line of every row.

CSV: encoding detected (BOM, UTF-8, UTF-16, else charset-normalizer: GBK/GB18030 ...),
delimiter detected, quotes and multi-line fields honoured. Parquet and Excel are read
with polars. Everything becomes text: typing and validation happen later, so a bad
value becomes a reject with its reason instead of a silent null.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

LINE = "__line"
SAMPLE = 256 * 1024
DELIMITERS = [",", ";", "\t", "|"]


class Refusal(Exception):
    """The file cannot be read at all; the message names the problem and the fix."""


class RaggedStream(Exception):
    """A streamed CSV has a row with more fields than its header: read it in memory."""


def _serialise(subset: pl.DataFrame, columns: list[str]) -> dict[int, str]:
    """The original rows, re-serialised as CSV lines, by source line."""
    out: dict[int, str] = {}
    for row in subset.iter_rows(named=True):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(
            ["" if row[c] is None else row[c] for c in columns])
        out[row[LINE]] = buf.getvalue()
    return out


@dataclass
class RawExtract:
    """An extract held in memory (small files, non-UTF-8 text, quoted line breaks, Excel)."""

    path: Path
    columns: list[str]          # header as in the file
    frame: pl.DataFrame         # text columns + __line
    encoding: str | None = None
    delimiter: str | None = None

    def batches(self, size: int):
        yield self.frame  # one batch: duplicates are judged over the whole file at once

    def raw_rows(self, lines: list[int]) -> dict[int, str]:
        return _serialise(self.frame.filter(pl.col(LINE).is_in(lines)), self.columns)


@dataclass
class StreamedCsv:
    """A plain UTF-8 CSV (no quotes, so one row per line) read in batches: memory stays
    bounded by the batch size whatever the file's size."""

    path: Path
    columns: list[str]
    delimiter: str
    encoding: str = "utf-8"

    def _chunks(self) -> Iterator[tuple[int, bytes]]:
        """(first line number, whole lines) in pieces of CHUNK_BYTES: no memory map, so
        memory stays near one chunk whatever the file's size."""
        with open(self.path, "rb") as fh:
            fh.readline()  # header
            line, rest = 2, b""
            while True:
                chunk = fh.read(CHUNK_BYTES)
                data = rest + chunk
                if not data:
                    return
                if chunk:
                    cut = data.rfind(b"\n") + 1
                    if cut == 0:
                        rest = data
                        continue
                    data, rest = data[:cut], data[cut:]
                else:
                    rest = b""
                yield line, data
                line += data.count(b"\n") + (0 if data.endswith(b"\n") else 1)

    def _parse(self, first_line: int, data: bytes) -> pl.DataFrame:
        try:
            frame = pl.read_csv(data, has_header=False, new_columns=self.columns,
                                separator=self.delimiter, infer_schema=False, quote_char=None)
        except pl.exceptions.ComputeError as exc:
            raise RaggedStream(str(exc)) from None
        return frame.with_row_index(LINE, offset=first_line).with_columns(
            pl.col(LINE).cast(pl.Int64))

    def batches(self, size: int):
        for first_line, data in self._chunks():
            frame = self._parse(first_line, data)
            for offset in range(0, frame.height, size):
                yield frame.slice(offset, size)

    def raw_rows(self, lines: list[int]) -> dict[int, str]:
        wanted, found = set(lines), []
        for first_line, data in self._chunks():
            last_line = first_line + data.count(b"\n")
            if any(first_line <= n <= last_line for n in wanted):
                frame = self._parse(first_line, data)
                found.append(frame.filter(pl.col(LINE).is_in(list(wanted))))
        subset = pl.concat(found) if found else pl.DataFrame()
        return _serialise(subset, self.columns) if subset.height else {}


def _detect_encoding(head: bytes, name: str) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = head[:SAMPLE]
    if sample and sample.count(b"\x00") > len(sample) // 4:
        # UTF-16 without a BOM: zeros at odd (LE) or even (BE) positions
        return "utf-16-le" if sample[1::2].count(b"\x00") > sample[0::2].count(b"\x00") else "utf-16-be"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4:  # a character cut by the sample's end
            return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=["gb18030", "gbk", "big5", "cp1252", "latin_1",
                                            "shift_jis", "euc_kr"]).best()
    if best is None:
        raise Refusal(f"{name}: the text encoding could not be recognised; save the file as "
                      "UTF-8 (or UTF-16, GBK/GB18030) and load it again.")
    enc = best.encoding
    return "gb18030" if enc in ("gbk", "gb2312") else enc  # GB18030 is GBK's superset


def _detect_delimiter(text_head: str) -> str:
    lines = [ln for ln in text_head.splitlines()[:20] if ln.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines[:10]), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in DELIMITERS}
        return max(counts, key=counts.get) if max(counts.values()) > 0 else ","


def _utf8_bytes(path: Path, encoding: str) -> bytes | None:
    """None when the file can be handed to polars as it is (UTF-8)."""
    if encoding == "utf-8":
        return None
    data = path.read_bytes()
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise Refusal(f"{path.name}: the file is not valid {encoding}; save it as UTF-8 and "
                      "load it again.") from None
    return text.lstrip("\ufeff").encode("utf-8")


def _record_lines(text_stream: io.TextIOBase, delimiter: str, n_cols: int
                  ) -> tuple[list[int], list[list[str]], bool]:
    """Start line of every record, the records, and whether the last one is truncated."""
    reader = csv.reader(text_stream, delimiter=delimiter, strict=True)
    starts: list[int] = []
    rows: list[list[str]] = []
    prev_end = 1
    truncated = False
    try:
        next(reader)  # header
        prev_end = reader.line_num
        for row in reader:
            if not row:
                prev_end = reader.line_num
                continue
            starts.append(prev_end + 1)
            rows.append(row)
            prev_end = reader.line_num
    except csv.Error:
        truncated = True  # e.g. the file ends inside a quoted field
    if rows and len(rows[-1]) < n_cols:
        truncated = True
    return starts, rows, truncated


def read_csv(path: Path) -> RawExtract:
    size = path.stat().st_size
    if size == 0:
        raise Refusal(f"{path.name}: the file is empty; export it again with a header row "
                      "and data.")
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE)
    encoding = _detect_encoding(head, path.name)
    converted = _utf8_bytes(path, encoding)
    text_head = (converted[:SAMPLE] if converted is not None else head).decode(
        "utf-8", errors="ignore").lstrip("\ufeff")
    if not text_head.strip():
        raise Refusal(f"{path.name}: the file holds no text; export it again with a header row "
                      "and data.")
    delimiter = _detect_delimiter(text_head)
    header = next(csv.reader([text_head.splitlines()[0]], delimiter=delimiter))
    header = [h.strip() for h in header]
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise Refusal(f"{path.name}: the header repeats column(s) {', '.join(dupes)}; give "
                      "every column its own name.")
    source = converted if converted is not None else path
    try:
        frame = pl.read_csv(source, separator=delimiter, infer_schema=False, has_header=True,
                            new_columns=header, quote_char='"', encoding="utf8",
                            raise_if_empty=False)
    except pl.exceptions.ComputeError:
        frame = None  # rows with surplus fields: walked with the csv module below

    # Physical line numbers: simple files map row i to line i + 2; files with quoted line
    # breaks (or ragged rows) are walked with the csv module to find each record's line.
    newline_count = (converted.count(b"\n") if converted is not None
                     else _count_newlines(path))
    simple = frame is not None and newline_count in (frame.height, frame.height + 1)
    if simple:
        truncated = _last_line_truncated(source, delimiter, len(header))
        frame = frame.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64))
    else:
        stream = (io.StringIO(converted.decode("utf-8")) if converted is not None
                  else open(path, encoding="utf-8-sig", newline=""))
        try:
            starts, rows, truncated = _record_lines(stream, delimiter, len(header))
        finally:
            stream.close()
        frame = _frame_from_rows(header, rows, starts)
    if truncated:
        raise Refusal(f"{path.name}: the last line is cut short (fewer fields than the header "
                      "or an unclosed quote), so the export looks incomplete; export the file "
                      "again and load it.")
    if frame.height == 0:
        raise Refusal(f"{path.name}: the file has a header but no rows; export it again with "
                      "data.")
    return RawExtract(path, header, frame, encoding, delimiter)


def _count_newlines(path: Path) -> int:
    count = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(16 * 1024 * 1024):
            count += chunk.count(b"\n")
    return count


def _last_line_truncated(source: bytes | Path, delimiter: str, n_cols: int) -> bool:
    """Whether the file's last line has fewer fields than the header (a cut export)."""
    tail = source[-SAMPLE:] if isinstance(source, bytes) else _tail(source)
    lines = [ln for ln in tail.decode("utf-8", errors="ignore").splitlines() if ln.strip()]
    if not lines:
        return False
    last = lines[-1]
    try:
        fields = next(csv.reader([last], delimiter=delimiter, strict=True))
    except csv.Error:
        return True
    return len(fields) < n_cols


def _tail(path: Path) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - SAMPLE))
        return fh.read()


def _frame_from_rows(header: list[str], rows: list[list[str]], starts: list[int]) -> pl.DataFrame:
    """Rows of any length: extra fields are kept in a column so the raw row is whole."""
    n = len(header)
    data = {h: [r[i] if i < len(r) else None for r in rows] for i, h in enumerate(header)}
    frame = pl.DataFrame({LINE: pl.Series(starts, dtype=pl.Int64),
                          **{h: pl.Series(v, dtype=pl.String) for h, v in data.items()}})
    counts = [len(r) for r in rows]
    if any(c != n for c in counts):
        frame = frame.with_columns(pl.Series("__fields", counts, dtype=pl.Int64))
    return frame


def read_parquet(path: Path) -> RawExtract:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:
        raise Refusal(f"{path.name}: the Parquet file cannot be read ({exc}); export it "
                      "again.") from None
    return _typed_to_text(path, frame, first_line=1)


def read_excel(path: Path, sheet: str | None = None) -> RawExtract:
    try:
        if sheet:
            frame = pl.read_excel(path, sheet_name=sheet, infer_schema_length=0)
        else:
            frame = pl.read_excel(path, sheet_id=1, infer_schema_length=0)
    except Exception as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if sheet and "sheet" in text.lower():
            raise Refusal(f"{path.name}: there is no sheet {sheet!r}; name an existing sheet "
                          "(--sheet, or the Excel sheet field on the Data page).") from None
        raise Refusal(f"{path.name}: the workbook cannot be read ({text}); save it again as "
                      ".xlsx and load it.") from None
    if frame.width == 0 or frame.height == 0:
        raise Refusal(f"{path.name}: the sheet has no data; put a header row and data on the "
                      "first sheet, or name the sheet (--sheet, or the Excel sheet field on the "
                      "Data page).")
    return _typed_to_text(path, frame, first_line=2)


def _typed_to_text(path: Path, frame: pl.DataFrame, first_line: int) -> RawExtract:
    if frame.height == 0:
        raise Refusal(f"{path.name}: the file has no rows; export it again with data.")
    text = frame.with_columns(pl.all().cast(pl.String))
    text = text.with_row_index(LINE, offset=first_line).with_columns(pl.col(LINE).cast(pl.Int64))
    return RawExtract(path, [str(c) for c in frame.columns], text)


def _has_byte(path: Path, needle: bytes) -> bool:
    import mmap

    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return mm.find(needle) != -1


STREAM_FROM_BYTES = 64 * 1024 * 1024  # files smaller than this are simply read whole
CHUNK_BYTES = 32 * 1024 * 1024        # a streamed file is parsed this much at a time


def open_extract(path: Path, sheet: str | None = None, stream: bool = True):
    """The extract as a source of batches: streamed when it is a large plain UTF-8 CSV."""
    path = Path(path)
    if (stream and path.exists() and path.suffix.lower() not in (".parquet", ".xlsx", ".xlsm", ".xls")
            and path.stat().st_size >= max(STREAM_FROM_BYTES, 1)):
        with open(path, "rb") as fh:
            head = fh.read(SAMPLE)
        if _detect_encoding(head, path.name) == "utf-8" and not _has_byte(path, b'"'):
            text_head = head.decode("utf-8", errors="ignore")
            delimiter = _detect_delimiter(text_head)
            header = [h.strip() for h in text_head.splitlines()[0].split(delimiter)]
            if len(set(header)) == len(header) and len(text_head.splitlines()) > 1:
                if _last_line_truncated(path, delimiter, len(header)):
                    raise Refusal(f"{path.name}: the last line is cut short (fewer fields than "
                                  "the header), so the export looks incomplete; export the "
                                  "file again and load it.")
                return StreamedCsv(path, header, delimiter)
    return read_extract(path, sheet)


def read_extract(path: Path, sheet: str | None = None) -> RawExtract:
    path = Path(path)
    if not path.exists():
        raise Refusal(f"{path}: there is no such file; check the path.")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return read_parquet(path)
    if suffix in (".xlsx", ".xlsm"):
        return read_excel(path, sheet)
    if suffix == ".xls":
        raise Refusal(f"{path.name}: old .xls workbooks are not read; save it as .xlsx or CSV.")
    return read_csv(path)
