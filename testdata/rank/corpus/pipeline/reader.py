"""Reading CSV exports from the billing system."""

import csv
import io
from typing import Dict, Iterator, List, Optional

COMMON_DELIMITERS = (",", ";", "\t", "|")


def detect_delimiter(sample: str) -> str:
    """Guess the field delimiter of a CSV sample.

    Picks the candidate that appears the same non-zero number of times on
    every non-empty line of the sample; falls back to a comma.
    """
    lines = [line for line in sample.splitlines() if line.strip()][:20]
    for delim in COMMON_DELIMITERS:
        counts = {line.count(delim) for line in lines}
        if len(counts) == 1 and counts.pop() > 0:
            return delim
    return ","


def normalize_header(name: str) -> str:
    """Turn a column title like ' Invoice Date ' into 'invoice_date'."""
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in name.strip().lower())
    while "__" in cleaned:
        cleaned = cleaned.replace("__", "_")
    return cleaned.strip("_")


class CSVReader:
    """Iterates over the rows of a CSV file as dictionaries.

    Headers are normalized to snake_case, the delimiter is sniffed from the
    first 4 KB, and a UTF-8 byte order mark is stripped. Rows with the
    wrong number of fields are counted and skipped instead of raising.
    """

    def __init__(self, path: str, delimiter: Optional[str] = None, encoding: str = "utf-8-sig"):
        self.path = path
        self.delimiter = delimiter
        self.encoding = encoding
        self.skipped = 0
        self.header: List[str] = []

    def __iter__(self) -> Iterator[Dict[str, str]]:
        return self.read_rows()

    def read_rows(self) -> Iterator[Dict[str, str]]:
        """Yield each well-formed row as a dict keyed by normalized header."""
        with open(self.path, newline="", encoding=self.encoding) as fh:
            sample = fh.read(4096)
            fh.seek(0)
            delim = self.delimiter or detect_delimiter(sample)
            reader = csv.reader(fh, delimiter=delim)
            try:
                raw_header = next(reader)
            except StopIteration:
                return
            self.header = [normalize_header(h) for h in raw_header]
            for fields in reader:
                if not any(f.strip() for f in fields):
                    continue
                if len(fields) != len(self.header):
                    self.skipped += 1
                    continue
                yield dict(zip(self.header, fields))

    @classmethod
    def from_string(cls, text: str, **kwargs) -> List[Dict[str, str]]:
        """Parse CSV held in memory; used by tests and the preview command."""
        delim = kwargs.get("delimiter") or detect_delimiter(text)
        rows = list(csv.reader(io.StringIO(text), delimiter=delim))
        if not rows:
            return []
        header = [normalize_header(h) for h in rows[0]]
        return [dict(zip(header, r)) for r in rows[1:] if len(r) == len(header)]
