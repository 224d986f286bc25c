"""One period's books for one business, in integer cents, consistent by construction.

The balance sheet balances; net income equals the change in retained earnings; the cash flow
statement walks opening cash to closing cash; AR and AP agings split the closing balances;
bank reconciliation starts from the closing book cash. Figures are fake but derived only from
the seed, the business and the period, so the same inputs always give the same books.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker

AGING_BUCKETS = ("Current", "1-30 days", "31-60 days", "61-90 days", "Over 90 days")


@dataclass(frozen=True)
class AgingRow:
    party: str
    buckets: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.buckets)


@dataclass(frozen=True)
class ReconcilingItem:
    description: str
    amount: int


@dataclass(frozen=True)
class Books:
    business_name: str
    period_start: date
    period_end: date
    # Profit and loss for the period (ordered label -> cents; expenses positive).
    revenue: dict[str, int]
    cost_of_sales: dict[str, int]
    operating_expenses: dict[str, int]
    interest_expense: int
    # Balance sheet, opening and closing.
    opening: dict[str, int]
    closing: dict[str, int]
    capex: int
    loan_repayment: int
    budget: dict[str, int]
    ar_aging: tuple[AgingRow, ...]
    ap_aging: tuple[AgingRow, ...]
    bank_service_charges: int
    bank_interest_earned: int
    deposits_in_transit: tuple[ReconcilingItem, ...] = field(default=())
    outstanding_checks: tuple[ReconcilingItem, ...] = field(default=())

    @property
    def total_revenue(self) -> int:
        return sum(self.revenue.values())

    @property
    def gross_profit(self) -> int:
        return self.total_revenue - sum(self.cost_of_sales.values())

    @property
    def operating_income(self) -> int:
        return self.gross_profit - sum(self.operating_expenses.values())

    @property
    def net_income(self) -> int:
        return self.operating_income - self.interest_expense

    @property
    def depreciation(self) -> int:
        return self.operating_expenses["Depreciation"]

    def total_assets(self, side: dict[str, int]) -> int:
        return side["Cash"] + side["Accounts receivable"] + side["Prepaid expenses"] + side["Fixed assets, net"]

    def total_liabilities(self, side: dict[str, int]) -> int:
        return side["Accounts payable"] + side["Accrued liabilities"] + side["Bank loan"]

    def total_equity(self, side: dict[str, int]) -> int:
        return side["Common stock"] + side["Retained earnings"]

    def operating_cash_flow(self) -> list[tuple[str, int]]:
        return operating_cash_flow(self.net_income, self.depreciation, self.opening, self.closing)

    @property
    def adjusted_book_balance(self) -> int:
        return self.closing["Cash"] - self.bank_service_charges + self.bank_interest_earned

    @property
    def bank_statement_balance(self) -> int:
        return (
            self.adjusted_book_balance
            - sum(i.amount for i in self.deposits_in_transit)
            + sum(i.amount for i in self.outstanding_checks)
        )


def operating_cash_flow(
    net_income: int, depreciation: int, opening: dict[str, int], closing: dict[str, int]
) -> list[tuple[str, int]]:
    """The indirect method's operating lines: net income adjusted for non-cash items and working capital."""
    o, c = opening, closing
    return [
        ("Net income", net_income),
        ("Depreciation", depreciation),
        ("(Increase) decrease in accounts receivable", o["Accounts receivable"] - c["Accounts receivable"]),
        ("(Increase) decrease in prepaid expenses", o["Prepaid expenses"] - c["Prepaid expenses"]),
        ("Increase (decrease) in accounts payable", c["Accounts payable"] - o["Accounts payable"]),
        ("Increase (decrease) in accrued liabilities", c["Accrued liabilities"] - o["Accrued liabilities"]),
    ]


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` split into ``parts`` non-negative integers that sum to it exactly."""
    weights = [rng.random() + 0.05 for _ in range(parts)]
    scale = sum(weights)
    shares = [int(total * w / scale) for w in weights]
    shares[-1] += total - sum(shares)
    return shares


def _aging(total: int, parties: list[str], rng: random.Random) -> tuple[AgingRow, ...]:
    rows = []
    for party, amount in zip(parties, _split(total, len(parties), rng), strict=True):
        # Most of a balance is current; older buckets get smaller shares.
        weights = [0.55, 0.2, 0.12, 0.08, 0.05]
        buckets = [int(amount * w * rng.uniform(0.6, 1.4)) for w in weights]
        buckets[0] += amount - sum(buckets)
        if buckets[0] < 0:  # keep every bucket non-negative
            buckets = [amount, 0, 0, 0, 0]
        rows.append(AgingRow(party, tuple(buckets)))
    return tuple(rows)


def make_books(*, seed: int, business_id: str, business_name: str, period_start: date, period_end: date) -> Books:
    """The books of one business for one period."""
    rng = random.Random(f"{seed}:{business_id}:{period_start}:{period_end}")
    fake = Faker()
    fake.seed_instance(rng.randrange(2**32))
    scale = rng.randrange(40, 400) * 100_000  # monthly revenue, in cents
    revenue = {"Product sales": int(scale * rng.uniform(0.5, 0.8))}
    revenue["Services"] = scale - revenue["Product sales"]
    cost_of_sales = {
        "Cost of goods sold": int(revenue["Product sales"] * rng.uniform(0.35, 0.55)),
        "Subcontractors": int(revenue["Services"] * rng.uniform(0.1, 0.3)),
    }
    depreciation = int(scale * rng.uniform(0.01, 0.03))
    operating_expenses = {
        "Salaries and wages": int(scale * rng.uniform(0.18, 0.3)),
        "Rent": int(scale * rng.uniform(0.03, 0.06)),
        "Software and subscriptions": int(scale * rng.uniform(0.01, 0.03)),
        "Marketing": int(scale * rng.uniform(0.02, 0.06)),
        "Depreciation": depreciation,
        "Other operating expenses": int(scale * rng.uniform(0.01, 0.03)),
    }
    interest_expense = int(scale * rng.uniform(0.002, 0.006))

    opening = {
        "Cash": int(scale * rng.uniform(1.5, 3.0)),
        "Accounts receivable": int(scale * rng.uniform(0.8, 1.4)),
        "Prepaid expenses": int(scale * rng.uniform(0.05, 0.15)),
        "Fixed assets, net": int(scale * rng.uniform(1.0, 2.5)),
        "Accounts payable": int(scale * rng.uniform(0.3, 0.6)),
        "Accrued liabilities": int(scale * rng.uniform(0.1, 0.25)),
        "Bank loan": int(scale * rng.uniform(0.5, 1.5)),
        "Common stock": int(scale * rng.uniform(0.5, 1.0)),
    }
    opening["Retained earnings"] = (
        opening["Cash"]
        + opening["Accounts receivable"]
        + opening["Prepaid expenses"]
        + opening["Fixed assets, net"]
        - opening["Accounts payable"]
        - opening["Accrued liabilities"]
        - opening["Bank loan"]
        - opening["Common stock"]
    )
    capex = int(scale * rng.uniform(0.0, 0.05))
    loan_repayment = min(opening["Bank loan"], int(scale * rng.uniform(0.01, 0.04)))
    closing = dict(opening)
    closing["Accounts receivable"] = int(opening["Accounts receivable"] * rng.uniform(0.9, 1.1))
    closing["Prepaid expenses"] = int(opening["Prepaid expenses"] * rng.uniform(0.85, 1.15))
    closing["Fixed assets, net"] = opening["Fixed assets, net"] + capex - depreciation
    closing["Accounts payable"] = int(opening["Accounts payable"] * rng.uniform(0.9, 1.1))
    closing["Accrued liabilities"] = int(opening["Accrued liabilities"] * rng.uniform(0.9, 1.1))
    closing["Bank loan"] = opening["Bank loan"] - loan_repayment
    net_income = (
        sum(revenue.values()) - sum(cost_of_sales.values()) - sum(operating_expenses.values()) - interest_expense
    )
    operating = sum(v for _, v in operating_cash_flow(net_income, depreciation, opening, closing))
    closing["Cash"] = opening["Cash"] + operating - capex - loan_repayment
    closing["Retained earnings"] = opening["Retained earnings"] + net_income
    bank_service_charges, bank_interest_earned = rng.randrange(1500, 9000), rng.randrange(500, 20000)

    pl_lines = {**revenue, **cost_of_sales, **operating_expenses, "Interest expense": interest_expense}
    budget = {label: int(amount * rng.uniform(0.88, 1.12)) for label, amount in pl_lines.items()}
    customers = sorted({fake.company() for _ in range(rng.randrange(5, 9))})
    vendors = sorted({fake.company() for _ in range(rng.randrange(4, 8))})
    # Deposits made in the last days of the period that the bank had not yet credited.
    span = min(6, (period_end - period_start).days)
    deposits = tuple(
        ReconcilingItem(
            f"Deposit {(period_end - timedelta(days=rng.randint(0, span))).isoformat()} - {c}",
            rng.randrange(50_000, 900_000),
        )
        for c in rng.sample(customers, min(2, len(customers)))
    )
    checks = tuple(
        ReconcilingItem(f"Check #{rng.randrange(1000, 9999)} - {v}", rng.randrange(20_000, 600_000))
        for v in rng.sample(vendors, min(3, len(vendors)))
    )
    return Books(
        business_name=business_name,
        period_start=period_start,
        period_end=period_end,
        revenue=revenue,
        cost_of_sales=cost_of_sales,
        operating_expenses=operating_expenses,
        interest_expense=interest_expense,
        opening=opening,
        closing=closing,
        capex=capex,
        loan_repayment=loan_repayment,
        budget=budget,
        ar_aging=_aging(closing["Accounts receivable"], customers, rng),
        ap_aging=_aging(closing["Accounts payable"], vendors, rng),
        bank_service_charges=bank_service_charges,
        bank_interest_earned=bank_interest_earned,
        deposits_in_transit=deposits,
        outstanding_checks=checks,
    )
