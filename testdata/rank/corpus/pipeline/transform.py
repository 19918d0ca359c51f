"""Transformations applied between validation and loading."""

from collections import defaultdict
from decimal import Decimal
from typing import Any, Callable, Dict, Iterable, List


def dedupe_records(rows: Iterable[Dict[str, Any]], key: str = "invoice_id") -> List[Dict[str, Any]]:
    """Drop repeated records, keeping the last occurrence of each key.

    Billing re-exports corrected invoices with the same id, so the later
    row is the right one.
    """
    latest: Dict[Any, Dict[str, Any]] = {}
    order: List[Any] = []
    for row in rows:
        k = row[key]
        if k not in latest:
            order.append(k)
        latest[k] = row
    return [latest[k] for k in order]


def group_by(rows: Iterable[Dict[str, Any]], key: Callable[[Dict[str, Any]], Any]) -> Dict[Any, List[Dict[str, Any]]]:
    """Bucket rows by the value of key(row), preserving input order."""
    groups: Dict[Any, List[Dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return dict(groups)


def monthly_totals(rows: Iterable[Dict[str, Any]]) -> Dict[str, Decimal]:
    """Sum invoice amounts per calendar month ('2024-03')."""
    totals: Dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        month = row["invoice_date"].strftime("%Y-%m")
        totals[month] += row["amount"]
    return dict(sorted(totals.items()))


def mask_email(email: str) -> str:
    """Hide most of the local part of an address for logs: j***@example.com."""
    local, _, domain = email.partition("@")
    if not domain:
        return "***"
    return local[:1] + "***@" + domain


def to_cents(amount: Decimal) -> int:
    """Convert a Decimal amount to whole cents, rounding half up."""
    return int((amount * 100).quantize(Decimal("1"), rounding="ROUND_HALF_UP"))
