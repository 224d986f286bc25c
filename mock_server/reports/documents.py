"""Each report as a neutral table (title, columns, rows of cents), rendered later as PDF or XLSX."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mock_server.reports.ledger import AGING_BUCKETS, AgingRow, Books

Cell = int | str | None  # int cells are money in cents


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[Cell, ...] = ()
    kind: str = "line"  # "section" (a heading), "line", or "total"


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


def _period(books: Books) -> str:
    return f"{books.period_start.isoformat()} to {books.period_end.isoformat()}"


def _pl(books: Books) -> tuple[tuple[str, ...], list[Row]]:
    rows = [Row("Revenue", kind="section")]
    rows += [Row(label, (amount,)) for label, amount in books.revenue.items()]
    rows.append(Row("Total revenue", (books.total_revenue,), "total"))
    rows.append(Row("Cost of sales", kind="section"))
    rows += [Row(label, (amount,)) for label, amount in books.cost_of_sales.items()]
    rows.append(Row("Gross profit", (books.gross_profit,), "total"))
    rows.append(Row("Operating expenses", kind="section"))
    rows += [Row(label, (amount,)) for label, amount in books.operating_expenses.items()]
    rows.append(Row("Total operating expenses", (sum(books.operating_expenses.values()),), "total"))
    rows.append(Row("Operating income", (books.operating_income,), "total"))
    rows.append(Row("Interest expense", (books.interest_expense,)))
    rows.append(Row("Net income", (books.net_income,), "total"))
    return ("", "Amount"), rows


def _balance_sheet(books: Books) -> tuple[tuple[str, ...], list[Row]]:
    o, c = books.opening, books.closing
    rows = [Row("Assets", kind="section")]
    rows += [Row(k, (c[k], o[k])) for k in ("Cash", "Accounts receivable", "Prepaid expenses", "Fixed assets, net")]
    rows.append(Row("Total assets", (books.total_assets(c), books.total_assets(o)), "total"))
    rows.append(Row("Liabilities", kind="section"))
    rows += [Row(k, (c[k], o[k])) for k in ("Accounts payable", "Accrued liabilities", "Bank loan")]
    rows.append(Row("Total liabilities", (books.total_liabilities(c), books.total_liabilities(o)), "total"))
    rows.append(Row("Equity", kind="section"))
    rows += [Row(k, (c[k], o[k])) for k in ("Common stock", "Retained earnings")]
    rows.append(Row("Total equity", (books.total_equity(c), books.total_equity(o)), "total"))
    rows.append(
        Row(
            "Total liabilities and equity",
            (books.total_liabilities(c) + books.total_equity(c), books.total_liabilities(o) + books.total_equity(o)),
            "total",
        )
    )
    return ("", f"As of {books.period_end.isoformat()}", f"As of {books.period_start.isoformat()} (opening)"), rows


def _cash_flow(books: Books) -> tuple[tuple[str, ...], list[Row]]:
    operating = books.operating_cash_flow()
    operating_total = sum(v for _, v in operating)
    rows = [Row("Operating activities", kind="section")]
    rows += [Row(label, (amount,)) for label, amount in operating]
    rows.append(Row("Net cash from operating activities", (operating_total,), "total"))
    rows.append(Row("Investing activities", kind="section"))
    rows.append(Row("Purchase of fixed assets", (-books.capex,)))
    rows.append(Row("Net cash from investing activities", (-books.capex,), "total"))
    rows.append(Row("Financing activities", kind="section"))
    rows.append(Row("Repayment of bank loan", (-books.loan_repayment,)))
    rows.append(Row("Net cash from financing activities", (-books.loan_repayment,), "total"))
    net = operating_total - books.capex - books.loan_repayment
    rows.append(Row("Net change in cash", (net,), "total"))
    rows.append(Row("Cash at beginning of period", (books.opening["Cash"],)))
    rows.append(Row("Cash at end of period", (books.opening["Cash"] + net,), "total"))
    return ("", "Amount"), rows


def _aging(rows_in: tuple[AgingRow, ...], party: str) -> tuple[tuple[str, ...], list[Row]]:
    rows = [Row(r.party, (*r.buckets, r.total)) for r in rows_in]
    totals = tuple(sum(r.buckets[i] for r in rows_in) for i in range(len(AGING_BUCKETS)))
    rows.append(Row("Total", (*totals, sum(totals)), "total"))
    return (party, *AGING_BUCKETS, "Total"), rows


def _budget_vs_actual(books: Books) -> tuple[tuple[str, ...], list[Row]]:
    actuals = {
        **books.revenue,
        **books.cost_of_sales,
        **books.operating_expenses,
        "Interest expense": books.interest_expense,
    }
    rows = []
    for label, actual in actuals.items():
        budget = books.budget[label]
        variance = actual - budget
        percent = f"{variance * 100 / budget:.1f}%" if budget else "n/a"
        rows.append(Row(label, (actual, budget, variance, percent)))
    budget_net = sum(books.budget[k] for k in books.revenue) - sum(
        books.budget[k] for k in (*books.cost_of_sales, *books.operating_expenses, "Interest expense")
    )
    rows.append(Row("Net income", (books.net_income, budget_net, books.net_income - budget_net, ""), "total"))
    return ("", "Actual", "Budget", "Variance", "Variance %"), rows


def _bank_reconciliation(books: Books) -> tuple[tuple[str, ...], list[Row]]:
    rows = [
        Row("Balance per books", (books.closing["Cash"],)),
        Row("Less: bank service charges", (-books.bank_service_charges,)),
        Row("Add: interest earned", (books.bank_interest_earned,)),
        Row("Adjusted book balance", (books.adjusted_book_balance,), "total"),
        Row("Balance per bank statement", (books.bank_statement_balance,)),
        Row("Add: deposits in transit", kind="section"),
    ]
    rows += [Row(item.description, (item.amount,)) for item in books.deposits_in_transit]
    rows.append(Row("Less: outstanding checks", kind="section"))
    rows += [Row(item.description, (-item.amount,)) for item in books.outstanding_checks]
    adjusted_bank = (
        books.bank_statement_balance
        + sum(i.amount for i in books.deposits_in_transit)
        - sum(i.amount for i in books.outstanding_checks)
    )
    rows.append(Row("Adjusted bank balance", (adjusted_bank,), "total"))
    rows.append(Row("Unreconciled difference", (adjusted_bank - books.adjusted_book_balance,), "total"))
    return ("", "Amount"), rows


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
    return Report(
        key=key,
        title=REPORT_TITLES[key],
        subtitle=f"{books.business_name} - {_period(books)}",
        columns=columns,
        rows=tuple(rows),
    )
