"""Row validation: required fields, types and formats."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Dict, List, Tuple

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}$")


class ValidationError(Exception):
    """Raised when a row breaks the schema; carries every problem found."""

    def __init__(self, row_number: int, problems: List[str]):
        super().__init__(f"row {row_number}: " + "; ".join(problems))
        self.row_number = row_number
        self.problems = problems


def parse_date(value: str) -> date:
    """Parse a date in ISO form (2024-03-01) or the European form the
    billing export uses (01.03.2024)."""
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {value!r}")


def parse_amount(value: str) -> Decimal:
    """Parse a money amount, accepting '1,234.50' and '1234.5'."""
    try:
        return Decimal(value.replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


def is_valid_email(value: str) -> bool:
    """Cheap syntactic check; deliverability is the mailer's problem."""
    return bool(EMAIL_RE.match(value.strip()))


@dataclass
class Schema:
    """Describes the columns a row must have and how to convert them."""

    required: List[str]
    converters: Dict[str, Callable[[str], Any]] = field(default_factory=dict)
    checks: Dict[str, Callable[[Any], bool]] = field(default_factory=dict)

    def validate_row(self, row_number: int, row: Dict[str, str]) -> Dict[str, Any]:
        """Convert and check one row, returning the typed row.

        Collects every problem before raising ValidationError, so a bad
        export can be fixed in one pass instead of one error at a time.
        """
        problems: List[str] = []
        out: Dict[str, Any] = dict(row)
        for name in self.required:
            if not row.get(name, "").strip():
                problems.append(f"missing {name}")
        for name, convert in self.converters.items():
            if row.get(name):
                try:
                    out[name] = convert(row[name])
                except ValueError as exc:
                    problems.append(str(exc))
        for name, check in self.checks.items():
            if name in out and not check(out[name]):
                problems.append(f"bad {name}: {row.get(name)!r}")
        if problems:
            raise ValidationError(row_number, problems)
        return out


def split_valid(schema: Schema, rows) -> Tuple[List[Dict[str, Any]], List[ValidationError]]:
    """Validate rows, separating good rows from the errors of bad ones."""
    good, bad = [], []
    for i, row in enumerate(rows, start=2):  # row 1 is the header
        try:
            good.append(schema.validate_row(i, row))
        except ValidationError as err:
            bad.append(err)
    return good, bad


INVOICE_SCHEMA = Schema(
    required=["invoice_id", "customer_email", "amount", "invoice_date"],
    converters={"amount": parse_amount, "invoice_date": parse_date},
    checks={"customer_email": is_valid_email, "amount": lambda a: a >= 0},
)
