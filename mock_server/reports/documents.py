"""Each report as a neutral table (title, columns, rows of cents), rendered later as PDF or XLSX.

A subtotal or total cell says how it is computed from other cells of the table (``Row.formulas``,
a template per value column), next to the value computed here; the XLSX rendering writes it as
a spreadsheet formula with that value cached. Templates name cells by the report's own
coordinates: ``{r3}`` is row 3 of ``rows`` in the same column, ``{c1}`` value column 1 of the
same row, ``{r3c1}`` both; ``SUM({r1}:{r4})`` a range.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from mock_server.reports.books import AGING_BUCKETS, AgingRow, Books

Cell = int | float | str | None  # int cells are money in cents, float cells are ratios (0.018 = 1.8%)


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[Cell, ...] = ()
    kind: str = "line"  # "section" (a heading), "line", "total" or "note"
    formulas: tuple[str | None, ...] = ()  # per value column, or () when every value is typed in


@dataclass(frozen=True)
class Report:
    key: str
    title: str
    subtitle: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


REPORT_TITLES = {
    "pl": "Profit and Loss",
    "balance_sheet": "Balance Sheet",
    "cash_flow": "Cash Flow Statement",
    "ar_aging": "Accounts Receivable Aging",
    "ap_aging": "Accounts Payable Aging",
    "budget_vs_actual": "Budget vs Actual",
    "bank_reconciliation": "Bank Reconciliation",
}
# Statements of a moment; the others cover the whole period.
POINT_IN_TIME = frozenset({"balance_sheet", "ar_aging", "ap_aging", "bank_reconciliation"})


def as_of(day: date) -> str:
    return f"As of {day.isoformat()}"


def as_of_opening(books: Books) -> str:
    """The comparison column of a point-in-time statement: the day before the period."""
    if books.period_start == date.min:
        return "As of opening"
    return as_of(books.period_start - timedelta(days=1))


def _money(row: Row, col: int) -> int:
    value = row.values[col]
    assert isinstance(value, int), (row.label, col)
    return value


class _Table:
    """Rows being built, with the index of each so totals can refer to them."""

    def __init__(self, width: int) -> None:
        self.rows: list[Row] = []
        self.width = width

    def add(self, label: str, values: tuple[Cell, ...] = (), kind: str = "line") -> int:
        self.rows.append(Row(label, values, kind))
        return len(self.rows) - 1

    def section(self, label: str) -> int:
        return self.add(label, kind="section")

    def lines(self, items: list[tuple[str, tuple[Cell, ...]]]) -> range:
        first = len(self.rows)
        for label, values in items:
            self.add(label, values)
        return range(first, len(self.rows))

    def total(self, label: str, values: tuple[Cell, ...], formula: str) -> int:
        self.rows.append(Row(label, values, "total", (formula,) * len(values)))
        return len(self.rows) - 1

    def sum_of(self, label: str, lines: range) -> int:
        """A total row: the column sums of ``lines`` (zero when there are none)."""
        values = tuple(
            sum(_money(self.rows[i], col) for i in lines if self.rows[i].values) for col in range(self.width)
        )
        formula = f"SUM({{r{lines.start}}}:{{r{lines.stop - 1}}})" if len(lines) else "0"
        return self.total(label, values, formula)

    def combine(self, label: str, terms: list[tuple[int, int]]) -> int:
        """A total row: sign * row for each (row, sign) of ``terms``."""
        values = tuple(sum(sign * _money(self.rows[i], col) for i, sign in terms) for col in range(self.width))
        formula = "".join(f"{'+' if sign > 0 else '-'}{{r{i}}}" for i, sign in terms).lstrip("+")
        return self.total(label, values, formula)


def _pl(books: Books) -> tuple[tuple[str, ...], list[Row]]:
    t = _Table(1)
    t.section("Revenue")
    revenue = t.sum_of("Total revenue", t.lines([(k, (v,)) for k, v in books.revenue.items()]))
    t.section("Cost of sales")
    cost = t.sum_of("Total cost of sales", t.lines([(k, (v,)) for k, v in books.cost_of_sales.items()]))
    gross = t.combine("Gross profit", [(revenue, 1), (cost, -1)])
    t.section("Operating expenses")
    opex = t.sum_of("Total operating expenses", t.lines([(k, (v,)) for k, v in books.operating_expenses.items()]))
    operating = t.combine("Operating income", [(gross, 1), (opex, -1)])
    t.section("Other income and expense")
    income = t.add("Interest income", (books.interest_income,))
    expense = t.add("Interest expense", (books.interest_expense,))
    t.combine("Net income", [(operating, 1), (income, 1), (expense, -1)])
    return ("", "Amount"), t.rows


def _balance_sheet(books: Books) -> tuple[tuple[str, ...], list[Row]]:
    o, c = books.opening, books.closing
    t = _Table(2)

    def block(keys: tuple[str, ...], label: str) -> int:
        return t.sum_of(label, t.lines([(k, (c[k], o[k])) for k in keys]))

    t.section("Assets")
    block(("Cash", "Accounts receivable", "Prepaid expenses", "Fixed assets, net"), "Total assets")
    t.section("Liabilities")
    liabilities = block(("Accounts payable", "Accrued liabilities", "Bank loan"), "Total liabilities")
    t.section("Equity")
    equity = block(("Common stock", "Retained earnings"), "Total equity")
    t.combine("Total liabilities and equity", [(liabilities, 1), (equity, 1)])
    return ("", as_of(books.period_end), as_of_opening(books)), t.rows


def _cash_flow(books: Books) -> tuple[tuple[str, ...], list[Row]]:
    t = _Table(1)
    t.section("Operating activities")
    operating = t.sum_of(
        "Net cash from operating activities", t.lines([(k, (v,)) for k, v in books.operating_cash_flow()])
    )
    t.section("Investing activities")
    investing = t.sum_of("Net cash from investing activities", t.lines([("Purchase of fixed assets", (-books.capex,))]))
    t.section("Financing activities")
    financing = t.sum_of("Net cash from financing activities", t.lines([(k, (v,)) for k, v in books.financing]))
    change = t.combine("Net change in cash", [(operating, 1), (investing, 1), (financing, 1)])
    beginning = t.add("Cash at beginning of period", (books.opening["Cash"],))
    t.combine("Cash at end of period", [(change, 1), (beginning, 1)])
    return ("", "Amount"), t.rows


def _aging(rows_in: tuple[AgingRow, ...], party: str) -> tuple[tuple[str, ...], list[Row]]:
    width = len(AGING_BUCKETS)
    total_formula = f"SUM({{c0}}:{{c{width - 1}}})"
    t = _Table(width + 1)
    for r in rows_in:
        t.rows.append(Row(r.party, (*r.buckets, r.total), "line", (None,) * width + (total_formula,)))
    t.sum_of("Total", range(0, len(rows_in)))
    return (party, *AGING_BUCKETS, "Total"), t.rows


FAVOURABLE, UNFAVOURABLE = "Favourable", "Unfavourable"


def _budget_vs_actual(books: Books) -> tuple[tuple[str, ...], list[Row]]:
    """Actual, budget, variance (actual minus budget), variance as a share of the budget, and
    whether it is favourable: more income or less cost than planned."""
    t = _Table(2)

    def line(label: str, actual: int, budget: int, income: bool) -> None:
        t.rows.append(_variance_row(label, actual, budget, income, "line", (None, None)))

    def block(title: str, items: dict[str, int], income: bool, total_label: str) -> int:
        t.section(title)
        first = len(t.rows)
        for label, actual in items.items():
            line(label, actual, books.budget[label], income)
        lines = range(first, len(t.rows))
        return _variance_total(t, total_label, income, f"SUM({{r{lines.start}}}:{{r{lines.stop - 1}}})", lines)

    revenue = block("Revenue", books.revenue, True, "Total revenue")
    cost = block("Cost of sales", books.cost_of_sales, False, "Total cost of sales")
    opex = block("Operating expenses", books.operating_expenses, False, "Total operating expenses")
    t.section("Other income and expense")
    line("Interest income", books.interest_income, books.budget["Interest income"], True)
    income = len(t.rows) - 1
    line("Interest expense", books.interest_expense, books.budget["Interest expense"], False)
    expense = income + 1
    terms = [(revenue, 1), (cost, -1), (opex, -1), (income, 1), (expense, -1)]
    formula = "".join(f"{'+' if s > 0 else '-'}{{r{i}}}" for i, s in terms).lstrip("+")
    _variance_total(t, "Net income", True, formula, None, terms)
    t.rows.append(
        Row(
            "Variance is actual minus budget. Favourable: income above budget or costs below it; "
            "unfavourable: the reverse. Variance % is the variance as a share of the budget's size "
            "(of its absolute value, so it has the variance's sign).",
            kind="note",
        )
    )
    return ("", "Actual", "Budget", "Variance", "Variance %", "Favourable / unfavourable"), t.rows


def _verdict(variance: int, income: bool) -> str:
    if variance == 0:
        return "On budget"
    return FAVOURABLE if (variance > 0) == income else UNFAVOURABLE


def _variance_row(
    label: str, actual: int, budget: int, income: bool, kind: str, formulas: tuple[str | None, str | None]
) -> Row:
    variance = actual - budget
    # Against the budget's size: a loss budgeted and beaten is a positive share, as its variance is.
    percent: Cell = variance / abs(budget) if budget else "n/a"
    return Row(
        label,
        (actual, budget, variance, percent, _verdict(variance, income)),
        kind,
        (*formulas, "{c0}-{c1}", "{c2}/ABS({c1})" if budget else None, None),
    )


def _variance_total(
    t: _Table, label: str, income: bool, formula: str, lines: range | None, terms: list[tuple[int, int]] | None = None
) -> int:
    if lines is not None:
        terms = [(i, 1) for i in lines]
    assert terms is not None
    actual = sum(sign * _money(t.rows[i], 0) for i, sign in terms)
    budget = sum(sign * _money(t.rows[i], 1) for i, sign in terms)
    t.rows.append(_variance_row(label, actual, budget, income, "total", (formula, formula)))
    return len(t.rows) - 1


def _bank_reconciliation(books: Books) -> tuple[tuple[str, ...], list[Row]]:
    t = _Table(1)
    t.section("Books")
    adjusted_book = t.sum_of(
        "Adjusted book balance",
        t.lines(
            [
                ("Balance per books", (books.closing["Cash"],)),
                ("Less: bank charges not yet in the books", (-books.bank_service_charges,)),
                ("Add: interest earned not yet in the books", (books.bank_interest_earned,)),
            ]
        ),
    )
    t.section("Bank")
    first = t.add("Balance per bank statement", (books.bank_statement_balance,))
    t.section("Add: deposits in transit")
    t.lines([(item.description, (item.amount,)) for item in books.deposits_in_transit] or [("None", (0,))])
    t.section("Less: outstanding checks and payments")
    t.lines([(item.description, (-item.amount,)) for item in books.outstanding_checks] or [("None", (0,))])
    adjusted_bank = t.sum_of("Adjusted bank balance", range(first, len(t.rows)))
    # Sections inside the range hold no values: their cells are empty, so SUM skips them.
    t.combine("Unreconciled difference", [(adjusted_bank, 1), (adjusted_book, -1)])
    return ("", as_of(books.period_end)), t.rows


_BUILDERS: dict[str, Callable[[Books], tuple[tuple[str, ...], list[Row]]]] = {
    "pl": _pl,
    "balance_sheet": _balance_sheet,
    "cash_flow": _cash_flow,
    "ar_aging": lambda books: _aging(books.ar_aging, "Customer"),
    "ap_aging": lambda books: _aging(books.ap_aging, "Vendor"),
    "budget_vs_actual": _budget_vs_actual,
    "bank_reconciliation": _bank_reconciliation,
}


def build_report(key: str, books: Books) -> Report:
    """The report ``key`` (one of REPORT_TITLES) of ``books``."""
    columns, rows = _BUILDERS[key](books)
    span = f"{books.period_start.isoformat()} to {books.period_end.isoformat()}"
    heading = as_of(books.period_end) if key in POINT_IN_TIME else span
    return Report(
        key=key,
        title=REPORT_TITLES[key],
        subtitle=f"{books.business_name} - {heading}",
        columns=columns,
        rows=tuple(rows),
    )
