"""Writing processed records out as JSON Lines."""

import json
import os
import tempfile
from decimal import Decimal
from typing import Any, Dict, Iterable


def _default(value: Any) -> Any:
    """JSON encoder hook for the types our rows carry."""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


class JSONLWriter:
    """Buffers records and writes them as JSON Lines.

    The output file is replaced atomically: records go to a temporary file
    in the same directory, which is renamed over the target on close, so a
    crash never leaves a half-written file for the loader to pick up.
    """

    def __init__(self, path: str, batch_size: int = 500):
        self.path = path
        self.batch_size = batch_size
        self._buffer = []
        fd, self._tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", suffix=".part")
        self._fh = os.fdopen(fd, "w", encoding="utf-8")
        self.written = 0

    def write(self, record: Dict[str, Any]) -> None:
        """Queue one record, flushing when the batch is full."""
        self._buffer.append(record)
        if len(self._buffer) >= self.batch_size:
            self.flush()

    def write_all(self, records: Iterable[Dict[str, Any]]) -> int:
        """Write every record and return how many were written."""
        for r in records:
            self.write(r)
        return self.written + len(self._buffer)

    def flush(self) -> None:
        """Write the buffered records to the temporary file."""
        for r in self._buffer:
            self._fh.write(json.dumps(r, default=_default, sort_keys=True) + "\n")
        self.written += len(self._buffer)
        self._buffer.clear()

    def close(self) -> None:
        """Flush, fsync and move the temporary file into place."""
        self.flush()
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        os.replace(self._tmp, self.path)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self._fh.close()
            os.unlink(self._tmp)
