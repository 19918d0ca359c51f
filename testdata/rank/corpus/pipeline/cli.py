"""Command-line entry point: python -m pipeline.cli invoices.csv out.jsonl"""

import argparse
import logging
import sys
from typing import List, Optional

from .reader import CSVReader
from .retry import retry
from .sink import JSONLWriter
from .transform import dedupe_records, mask_email
from .validate import INVOICE_SCHEMA, split_valid

log = logging.getLogger("pipeline")


def build_parser() -> argparse.ArgumentParser:
    """Define the command-line flags."""
    p = argparse.ArgumentParser(prog="pipeline", description="Validate and convert a billing CSV export.")
    p.add_argument("source", help="CSV file exported from billing")
    p.add_argument("dest", help="JSON Lines file to write")
    p.add_argument("--delimiter", help="field delimiter (sniffed if omitted)")
    p.add_argument("--max-errors", type=int, default=50,
                   help="abort if more rows than this fail validation")
    p.add_argument("-v", "--verbose", action="store_true", help="log every rejected row")
    return p


@retry(max_attempts=3, retry_on=(OSError,))
def load_rows(path: str, delimiter: Optional[str]):
    """Read the export, retrying when the network share hiccups."""
    return list(CSVReader(path, delimiter=delimiter))


def run_pipeline(source: str, dest: str, delimiter: Optional[str], max_errors: int, verbose: bool) -> int:
    """Read, validate, dedupe and write; returns the process exit code."""
    rows = load_rows(source, delimiter)
    good, bad = split_valid(INVOICE_SCHEMA, rows)
    for err in bad:
        if verbose:
            log.warning("%s", err)
    if len(bad) > max_errors:
        log.error("%d rows failed validation (limit %d); nothing written", len(bad), max_errors)
        return 2
    good = dedupe_records(good)
    with JSONLWriter(dest) as out:
        n = out.write_all(good)
    log.info("wrote %d records to %s (%d rejected)", n, dest, len(bad))
    if good:
        log.debug("first customer: %s", mask_email(good[0]["customer_email"]))
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    """Parse arguments, configure logging and run the pipeline."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(message)s")
    try:
        return run_pipeline(args.source, args.dest, args.delimiter, args.max_errors, args.verbose)
    except FileNotFoundError as exc:
        log.error("%s", exc)
        return 1


if __name__ == "__main__":
    sys.exit(main())
