"""Read any extract into text columns with the source line of every row.

CSV: encoding detected over the whole file among extracts.md's (BOM, UTF-16, UTF-8, else
GB18030 -- GBK's superset -- else refused), delimiter detected, quotes and multi-line
fields honoured, blank lines skipped. Parquet and Excel are read with polars. Everything
becomes text: typing and validation happen later, so a bad value becomes a reject with its
reason instead of a silent null.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dashboard.i18n import _

LINE = "__line"
MARK_EVERY = 50_000  # a streamed file notes the byte offset of every this many lines
SAMPLE = 256 * 1024
DELIMITERS = [",", ";", "\t", "|"]
UNIT = "\x1f"  # the ASCII unit separator, which text hardly ever holds


class Refusal(Exception):
    """The file cannot be read at all; the message names the problem and the fix."""

    # what the load would have used, set where it is known (cli.md: `load --json` names
    # the kind and profile of a refused load)
    kind: str | None = None
    profile: str | None = None


class RaggedStream(Exception):
    """A streamed CSV has a row with a field more or less than its header, or a blank line:
    read it in memory (see _record_lines)."""


def _serialise(subset: pl.DataFrame, columns: list[str]) -> dict[int, str]:
    """Rows of a file that has no text of its own (Parquet, Excel), written as CSV lines,
    by source line. Text files give their own lines instead (see _own_lines)."""
    out: dict[int, str] = {}
    for row in subset.iter_rows(named=True):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(
            ["" if row.get(c) is None else row[c] for c in columns])
        out[row[LINE]] = buf.getvalue()
    return out


IGNORED_MARK = "__ignored_"


@dataclass(frozen=True)
class Header:
    """A file's header cells made usable: every column gets a unique name; a cell that is
    blank or repeats another cell's text is kept under an internal name (IGNORED_MARK +
    its position) and ignored unless a layout needs it (then the load is refused, naming
    the cells by position and text -- extracts.md, "Headers")."""

    columns: list[str]                       # unique names, in file order
    ignored: list[tuple[int, str]]           # (1-based position, header text)

    def positions(self, text: str) -> list[int]:
        """Positions of the ignored cells whose header text is `text` (stripped)."""
        return [pos for pos, t in self.ignored if t == text]


def make_header(cells: list[str]) -> Header:
    cells = [c.strip().lstrip("\ufeff").strip() for c in cells]
    counts: dict[str, int] = {}
    for c in cells:
        counts[c] = counts.get(c, 0) + 1
    columns, ignored = [], []
    for pos, c in enumerate(cells, start=1):
        if not c or counts[c] > 1:
            columns.append(f"{IGNORED_MARK}{pos}")
            ignored.append((pos, c))
        else:
            columns.append(c)
    return Header(columns, ignored)


def join_header_rows(top: list[str], sub: list[str]) -> list[str]:
    """Two header rows as one: `top / sub`; a blank top cell continues the one on its
    left (a question spanning its answer columns), a blank sub cell leaves the top alone."""
    width = max(len(top), len(sub))
    top = [*(t.strip() for t in top), *[""] * (width - len(top))]
    sub = [*(t.strip() for t in sub), *[""] * (width - len(sub))]
    out, carried = [], ""
    for t, b in zip(top, sub, strict=True):
        if t:
            carried = t
        elif b:
            t = carried
        out.append(f"{t} / {b}" if t and b else (t or b))
    return out


def _strip_newline(text: str) -> str:
    return text.rstrip("\r\n")


def _own_lines(lines_of_file: Iterator[str], spans: dict[int, int]) -> dict[int, str]:
    """The file's own text of records: start line -> its lines (start..end) joined."""
    if not spans:
        return {}
    last = max(spans.values())
    wanted: dict[int, int] = {}  # line -> start of the record it belongs to
    for start, end in spans.items():
        for n in range(start, end + 1):
            wanted[n] = start
    parts: dict[int, list[str]] = {start: [] for start in spans}
    for n, text in enumerate(lines_of_file, start=1):
        if n in wanted:
            parts[wanted[n]].append(_strip_newline(text))
        if n >= last:
            break
    return {start: "\n".join(lines) for start, lines in parts.items() if lines}


@dataclass
class RawExtract:
    """An extract held in memory (small files, non-UTF-8 text, quoted line breaks, Excel)."""

    path: Path
    columns: list[str]          # unique column names (see Header), in file order
    frame: pl.DataFrame         # text columns + __line
    encoding: str | None = None  # None: not a text file (Parquet, Excel)
    delimiter: str | None = None
    ignored: list[tuple[int, str]] = field(default_factory=list)
    ends: dict[int, int] = field(default_factory=dict)  # record start -> end line, when longer

    def batches(self, size: int):
        yield self.frame  # one batch: duplicates are judged over the whole file at once

    def _text_lines(self) -> Iterator[str]:
        if self.encoding in ("utf-8", "utf-8-sig"):
            with open(self.path, encoding="utf-8-sig", newline="") as fh:
                yield from fh
        else:
            text = self.path.read_bytes().decode(self.encoding or "utf-8", errors="replace")
            yield from io.StringIO(text.lstrip("\ufeff"), newline="")

    def raw_rows(self, lines: list[int]) -> dict[int, str]:
        """The file's own text of the rows starting on these lines (its delimiter and
        quoting, every physical line of a record with a quoted line break)."""
        if self.encoding is None:
            return _serialise(self.frame.filter(pl.col(LINE).is_in(lines)), self.columns)
        return _own_lines(self._text_lines(), {n: self.ends.get(n, n) for n in lines})


@dataclass
class StreamedCsv:
    """A plain UTF-8 CSV (no quotes, so one row per line) read in batches: memory stays
    bounded by the batch size whatever the file's size."""

    path: Path
    columns: list[str]
    delimiter: str
    encoding: str = "utf-8"
    ignored: list[tuple[int, str]] = field(default_factory=list)

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
        """The rows of these lines; a blank line or a row with a field more or less is
        RaggedStream: the file is then read in memory, where the csv module skips the one
        and rejects the other (_record_lines) -- polars would pad a short row with nulls."""
        try:
            frame = pl.read_csv(data, has_header=False, new_columns=self.columns,
                                separator=self.delimiter, infer_schema=False, quote_char=None)
        except (pl.exceptions.ComputeError, pl.exceptions.SchemaError) as exc:
            raise RaggedStream(str(exc)) from None  # (SchemaError: the first line differs)
        lines, n = data.count(b"\n") + (not data.endswith(b"\n")), len(self.columns)
        # no quotes in a streamed file: a row of n fields holds n - 1 delimiters and none
        # holds more (polars refuses those), so the count over all lines tells
        regular = (frame.height == lines
                   and data.count(self.delimiter.encode()) == (n - 1) * lines)
        if regular and n == 1:  # one column: a blank line holds no delimiter either
            first = pl.col(self.columns[0])
            blank = first.is_null() | (first.str.strip_chars() == "")
            regular = not frame.select(blank.any()).item()
        if not regular:
            raise RaggedStream(f"{self.path.name}: a blank line or a row of another length")
        return frame.with_row_index(LINE, offset=first_line).with_columns(
            pl.col(LINE).cast(pl.Int64))

    def batches(self, size: int):
        for first_line, data in self._chunks():
            frame = self._parse(first_line, data)
            for offset in range(0, frame.height, size):
                yield frame.slice(offset, size)

    def raw_rows(self, lines: list[int]) -> dict[int, str]:
        """The file's own text of these lines (no quotes here: a row is a line). Reading
        starts from the nearest line whose byte offset an earlier call noted, so the
        pages of a large file, asked for in line order, are read once, not from the top
        each time."""
        if not lines:
            return {}
        wanted, last = set(lines), max(lines)
        marks = self.__dict__.setdefault("_marks", [(1, 0)])  # (line, byte offset)
        line, offset = marks[bisect.bisect_right(marks, (min(wanted), float("inf"))) - 1]
        out: dict[int, str] = {}
        with open(self.path, "rb") as fh:
            fh.seek(offset)
            for raw in fh:
                if line in wanted:
                    out[line] = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                line += 1
                offset += len(raw)
                if line % MARK_EVERY == 0 and line > marks[-1][0]:
                    marks.append((line, offset))
                if line > last:
                    break
        return out


CHECK_BYTES = 8 * 1024 * 1024  # a file's encoding is checked this much at a time


def _reads_as(path: Path, encoding: str, skip: int = 0) -> bool:
    """Whether every byte of the file after `skip` decodes strictly as `encoding`. Read in
    chunks through an incremental decoder, so memory stays near one chunk and a character
    cut by a chunk's end is completed by the next; an ASCII chunk reads the same in UTF-8
    and GB18030, so it is only decoded when a character is pending from the one before."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with open(path, "rb") as fh:
            fh.seek(skip)
            while chunk := fh.read(CHECK_BYTES):
                if not (chunk.isascii() and not decoder.getstate()[0]):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


# A Western (Latin-1 / Windows-1252) file can decode as GB18030 too: "téléphone" is valid
# GBK, each accented letter and the ASCII letter after it taken for one rare character
# (t閘閜hone). Chinese GBK text writes almost every character with both bytes >= 0xA1
# (the GB2312 area); a lead byte followed by an ASCII letter or sign (0x40-0x7E) is a rare
# extended character. When such pairs outnumber the file's other multi-byte characters,
# the file is Western text, not Chinese, and is refused ("王镕", one common and one rare
# character, still reads as Chinese).
_LATIN_PAIR = re.compile(rb"[\x81-\xfe][\x40-\x7e]")
_HIGH_BYTES = bytes(range(0x80, 0x100))


def _reads_like_western_text(path: Path) -> bool:
    """Whether a file that decodes as GB18030 is more likely Latin-1 / Windows-1252 text
    (see _LATIN_PAIR). Counted chunk by chunk at C speed; memory stays near one chunk."""
    high = pairs = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHECK_BYTES):
            if chunk.isascii():
                continue
            high += len(chunk) - len(chunk.translate(None, _HIGH_BYTES))
            pairs += len(_LATIN_PAIR.findall(chunk))
    others = (high - pairs) / 2  # characters both of whose bytes are high (GB2312 area)
    return pairs > others


def _detect_encoding(path: Path) -> str:
    """The one encoding of extracts.md's list that reads the whole file: a byte-order mark
    (UTF-8, UTF-16) first, then UTF-16 without one (zeros in every other byte), then UTF-8,
    then GB18030 (it reads every GBK file as GBK does). Nothing else is guessed: a guess
    among other code pages read short Chinese files as Korean or Latin-1 text."""
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # decoded whole, strictly, when read (_utf8_bytes)
    if head.startswith(b"\xef\xbb\xbf"):
        if _reads_as(path, "utf-8", skip=3):
            return "utf-8-sig"
    elif head and head.count(b"\x00") > len(head) // 4:
        # UTF-16 without a BOM: zeros at odd (LE) or even (BE) positions
        return "utf-16-le" if head[1::2].count(b"\x00") > head[0::2].count(b"\x00") else "utf-16-be"
    else:
        if _reads_as(path, "utf-8"):
            return "utf-8"
        if _reads_as(path, "gb18030") and not _reads_like_western_text(path):
            return "gb18030"
    raise Refusal(_("{file}: the text encoding could not be recognised; save the file "
                    "as UTF-8 (or UTF-16, GBK/GB18030) and load it again.").format(file=path.name))


def _detect_delimiter(text_head: str) -> str:
    lines = [ln for ln in text_head.splitlines()[:20] if ln.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines[:10]), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in DELIMITERS}
        return max(counts, key=lambda d: counts[d]) if max(counts.values()) > 0 else ","


def _utf8_bytes(path: Path, encoding: str) -> bytes | None:
    """None when the file can be handed to polars as it is (UTF-8)."""
    if encoding == "utf-8":
        return None
    data = path.read_bytes()
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise Refusal(_("{file}: the file is not valid {encoding}; save it as UTF-8 and load "
                        "it again.").format(file=path.name, encoding=encoding)) from None
    return text.lstrip("\ufeff").encode("utf-8")


def _is_blank_line(text: str, delimiter: str) -> bool:
    """A line of nothing but white space outside quotes (not even a delimiter, which would
    make it a row of empty fields) is not a row, on any read path."""
    return not text.strip() and delimiter not in text


def _record_lines(text_stream: io.TextIOBase, delimiter: str, n_cols: int,
                  skip_lines: int = 0, header_records: int = 1
                  ) -> tuple[list[int], list[int], list[list[str]], bool]:
    """Start and end line of every record, the records, and whether the last one is
    truncated (after `skip_lines` lines and `header_records` header records). Blank lines
    are no records; a record keeps its own number of fields (see _frame_from_rows)."""
    for _line in range(skip_lines):
        text_stream.readline()
    last_line = [""]  # the text of the line the reader took last

    def lines() -> Iterator[str]:
        for text in text_stream:
            last_line[0] = text
            yield text

    reader = csv.reader(lines(), delimiter=delimiter, strict=True)
    starts: list[int] = []
    ends: list[int] = []
    rows: list[list[str]] = []
    prev_end = 1
    truncated = False
    try:
        for _record in range(header_records):
            next(reader)
        prev_end = reader.line_num
        for row in reader:
            one_line = reader.line_num == prev_end + 1
            if not row or (one_line and _is_blank_line(last_line[0], delimiter)):
                prev_end = reader.line_num
                continue
            starts.append(skip_lines + prev_end + 1)
            ends.append(skip_lines + reader.line_num)
            rows.append(row)
            prev_end = reader.line_num
    except csv.Error:
        truncated = True  # e.g. the file ends inside a quoted field
    except StopIteration:
        pass  # fewer lines than the header needs: no rows
    if rows and len(rows[-1]) < n_cols:
        truncated = True
    return starts, ends, rows, truncated


def _one_row_per_line_holds(frame: pl.DataFrame, source: bytes | Path, delimiter: str) -> bool:
    """Whether polars' rows of a file with one record per line are the file's rows. Polars
    reads a blank line as a row of nulls and pads a row with too few fields with nulls, so
    the lines of rows whose last field is empty are looked at: a blank one, or one with
    another number of fields than the header (counted outside quoted fields), sends the
    file to the csv module (_record_lines), which skips the first and keeps the second's
    field count (a reject)."""
    last = pl.col(frame.columns[-1])
    suspects = frame.select((last.is_null() | (last.str.strip_chars() == "")).arg_true())
    if suspects.height == 0:
        return True
    try:  # every line as one field: no quotes, and a separator text hardly ever holds
        whole_lines = pl.read_csv(source, has_header=False, skip_rows=1, separator=UNIT,
                                  quote_char=None, infer_schema=False, raise_if_empty=False)
    except pl.exceptions.PolarsError:
        return False  # a line holds the separator after all: walk the file
    if whole_lines.shape != (frame.height, 1):
        return False
    lines = whole_lines.to_series().gather(suspects.to_series()).fill_null("")
    # (the delimiter is one of DELIMITERS: a character class needs no escaping for them)
    unquoted = lines.str.replace_all(f'(^|[{delimiter}])"(?:[^"]|"")*"', "${1}")
    fields = unquoted.str.count_matches(delimiter, literal=True) + 1
    irregular = (lines.str.strip_chars() == "") | (fields != frame.width)
    return not irregular.any()


def read_csv(path: Path, skip_rows: int = 0, header_rows: int = 1,
             encoding: str | None = None) -> RawExtract:
    """A text extract in memory. skip_rows: lines before the header; header_rows: 1, or 2
    for a header spread over two rows (joined `top / sub`); encoding: when already
    detected (see _detect_encoding)."""
    size = path.stat().st_size
    if size == 0:
        raise Refusal(_("{file}: the file is empty; export it again with a header row and "
                        "data.").format(file=path.name))
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE)
    encoding = encoding or _detect_encoding(path)
    converted = _utf8_bytes(path, encoding)
    text_head = (converted[:SAMPLE] if converted is not None else head).decode(
        "utf-8", errors="ignore").lstrip("\ufeff")
    all_head_lines = text_head.splitlines()
    if not "".join(all_head_lines[skip_rows:]).strip():
        raise Refusal(_("{file}: the file holds no text; export it again with a header row "
                        "and data.").format(file=path.name))
    while not all_head_lines[skip_rows].strip():
        skip_rows += 1  # blank lines before the header: skipped like any blank line
    head_lines = all_head_lines[skip_rows:]
    delimiter = _detect_delimiter("\n".join(head_lines))
    records = list(csv.reader(head_lines[:header_rows], delimiter=delimiter))
    records += [[]] * (header_rows - len(records))
    header = make_header(records[0] if header_rows == 1 else join_header_rows(*records[:2]))
    names = header.columns
    source = converted if converted is not None else path
    frame = None
    plain = skip_rows == 0 and header_rows == 1
    if plain:
        try:
            frame = pl.read_csv(source, separator=delimiter, infer_schema=False,
                                has_header=True, new_columns=names, quote_char='"',
                                encoding="utf8", raise_if_empty=False)
        except pl.exceptions.ComputeError:
            frame = None  # rows with surplus fields: walked with the csv module below

    # Physical line numbers: simple files map row i to line i + 2; files with quoted line
    # breaks (or ragged rows, blank lines, or lines before the header) are walked with the
    # csv module to find each record's lines.
    newline_count = (converted.count(b"\n") if converted is not None
                     else _count_newlines(path))
    simple = (frame is not None and newline_count in (frame.height, frame.height + 1)
              and _one_row_per_line_holds(frame, source, delimiter))
    ends: dict[int, int] = {}
    if simple and frame is not None:  # (simple implies a frame; said again for mypy)
        truncated = _last_line_truncated(source, delimiter, len(names))
        frame = frame.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64))
    else:
        stream = (io.StringIO(converted.decode("utf-8")) if converted is not None
                  else open(path, encoding="utf-8-sig", newline=""))
        try:
            starts, stops, rows, truncated = _record_lines(stream, delimiter, len(names),
                                                           skip_rows, header_rows)
        finally:
            stream.close()
        frame = _frame_from_rows(names, rows, starts)
        ends = {a: b for a, b in zip(starts, stops, strict=True) if b != a}
    if truncated:
        raise Refusal(_("{file}: the last line is cut short (fewer fields than the header or "
                        "an unclosed quote), so the export looks incomplete; export the file "
                        "again and load it.").format(file=path.name))
    if frame.height == 0:
        raise Refusal(_("{file}: the file has a header but no rows; export it again with "
                        "data.").format(file=path.name))
    return RawExtract(path, names, frame, encoding, delimiter, header.ignored, ends)


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
        raise Refusal(_("{file}: the Parquet file cannot be read ({error}); export it "
                        "again.").format(file=path.name, error=exc)) from None
    return _typed_to_text(path, frame, first_line=1)


def read_excel(path: Path, sheet: str | None = None, skip_rows: int = 0,
               header_rows: int = 1) -> RawExtract:
    """A sheet read as text, every row of it (line = the sheet's row number), its header
    made from row skip_rows + 1 (and the next, when header_rows = 2)."""
    try:
        # every cell as text, every row and column kept (empty ones too), header made below
        if sheet:
            frame = pl.read_excel(path, sheet_name=sheet, infer_schema_length=0,
                                  has_header=False, drop_empty_rows=False,
                                  drop_empty_cols=False, raise_if_empty=False)
        else:
            frame = pl.read_excel(path, sheet_id=1, infer_schema_length=0, has_header=False,
                                  drop_empty_rows=False, drop_empty_cols=False,
                                  raise_if_empty=False)
    except Exception as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if sheet and "sheet" in text.lower():
            raise Refusal(_("{file}: there is no sheet {sheet}; name an existing sheet "
                            "(--sheet, or the Excel sheet field on the Data page).").format(
                file=path.name, sheet=repr(sheet))) from None
        raise Refusal(_("{file}: the workbook cannot be read ({error}); save it again as "
                        ".xlsx and load it.").format(file=path.name, error=text)) from None
    frame = frame.with_columns(pl.all().cast(pl.String))
    first = skip_rows + header_rows
    if frame.width == 0 or frame.height <= first:
        raise Refusal(_("{file}: the sheet has no data; put a header row and data on the "
                        "first sheet, or name the sheet (--sheet, or the Excel sheet field on "
                        "the Data page).").format(file=path.name))
    cells = [["" if v is None else str(v) for v in frame.row(skip_rows + i)]
             for i in range(header_rows)]
    header = make_header(cells[0] if header_rows == 1 else join_header_rows(*cells[:2]))
    body = frame.slice(first).rename(dict(zip(frame.columns, header.columns, strict=True)))
    body = body.with_row_index(LINE, offset=first + 1).with_columns(pl.col(LINE).cast(pl.Int64))
    # rows left wholly empty by the workbook are not rows of the extract
    body = body.filter(~pl.all_horizontal(pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "")
                                          for c in header.columns))
    if body.height == 0:
        raise Refusal(_("{file}: the file has no rows; export it again with data.").format(
            file=path.name))
    return RawExtract(path, header.columns, body, ignored=header.ignored)


def _typed_to_text(path: Path, frame: pl.DataFrame, first_line: int) -> RawExtract:
    if frame.height == 0:
        raise Refusal(_("{file}: the file has no rows; export it again with data.").format(
            file=path.name))
    text = frame.with_columns(pl.all().cast(pl.String))
    text = text.with_row_index(LINE, offset=first_line).with_columns(pl.col(LINE).cast(pl.Int64))
    return RawExtract(path, [str(c) for c in frame.columns], text)


def _has_byte(path: Path, needle: bytes) -> bool:
    import mmap

    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return mm.find(needle) != -1


STREAM_FROM_BYTES = 64 * 1024 * 1024  # files smaller than this are simply read whole
CHUNK_BYTES = 32 * 1024 * 1024        # a streamed file is parsed this much at a time


def open_extract(path: Path, sheet: str | None = None, stream: bool = True,
                 skip_rows: int = 0, header_rows: int = 1):
    """The extract as a source of batches: streamed when it is a large plain UTF-8 CSV
    (its header on the first line)."""
    path = Path(path)
    if (stream and skip_rows == 0 and header_rows == 1 and path.exists() and path.suffix.lower() not in (".parquet", ".xlsx", ".xlsm", ".xls")
            and path.stat().st_size >= max(STREAM_FROM_BYTES, 1)):
        encoding = _detect_encoding(path)  # over the whole file: once, here
        if encoding == "utf-8" and not _has_byte(path, b'"'):
            with open(path, "rb") as fh:
                head = fh.read(SAMPLE)
            text_head = head.decode("utf-8", errors="ignore")
            delimiter = _detect_delimiter(text_head)
            header = make_header(text_head.splitlines()[0].split(delimiter))
            # (a blank first line: the header comes later, which read_csv finds)
            if len(text_head.splitlines()) > 1 and text_head.splitlines()[0].strip():
                if _last_line_truncated(path, delimiter, len(header.columns)):
                    raise Refusal(_("{file}: the last line is cut short (fewer fields than "
                                    "the header), so the export looks incomplete; export the "
                                    "file again and load it.").format(file=path.name))
                return StreamedCsv(path, header.columns, delimiter, ignored=header.ignored)
        return read_csv(path, skip_rows, header_rows, encoding)
    return read_extract(path, sheet, skip_rows, header_rows)


def read_extract(path: Path, sheet: str | None = None, skip_rows: int = 0,
                 header_rows: int = 1) -> RawExtract:
    path = Path(path)
    if not path.exists():
        raise Refusal(_("{path}: there is no such file; check the path.").format(path=path))
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return read_parquet(path)
    if suffix in (".xlsx", ".xlsm"):
        return read_excel(path, sheet, skip_rows, header_rows)
    if suffix == ".xls":
        raise Refusal(_("{file}: old .xls workbooks are not read; save it as .xlsx or "
                        "CSV.").format(file=path.name))
    return read_csv(path, skip_rows, header_rows)
