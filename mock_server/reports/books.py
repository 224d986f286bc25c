"""One general ledger per business over time, and the books of any period as a view of it.

The ledger is generated month by month, lazily: a month's transactions come from a generator
seeded by (seed, business, month) and from the balances and open items the previous month
carried (customers' invoices awaiting payment, vendors' bills, cheques and deposits the bank has
not cleared yet, payroll accrued and paid next month, prepaid rent and insurance, fixed assets
being depreciated). So any span is cheap, and the same seed always gives the same ledger: the
closing balances of a month are the opening balances of the next, a quarter's P&L is the sum of
its months', and the balance sheet at a date is the same in every package that shows it.

Every business's books open on 1 January of a decade (2020 for 2020-2029) after three months of
run-in (so the opening balance sheet already holds open invoices and bills); a span is walked
from the opening of the decade it starts in. The books trade for ``TRADING_MONTHS`` (20 years)
and then lie dormant, so even a span of centuries is a bounded walk. Amounts are integer cents.

Memory stays bounded: at most ``MONTHS_KEPT`` generated months (their transactions) and
``STATES_KEPT`` month-end states are kept, least recently used dropped first; a dropped month
is generated again from the nearest kept state.
"""

from __future__ import annotations

import calendar
import math
import random
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

from faker import Faker

AGING_BUCKETS = ("Current", "1-30 days", "31-60 days", "61-90 days", "Over 90 days")
RUN_IN_MONTHS = 3
MONTHS_KEPT = 240
STATES_KEPT = 600
# Books trade for this many months after they open, then lie dormant (balances carried, no new
# transactions), so a span of centuries costs no more than this many months.
TRADING_MONTHS = 240

REVENUE = ("Product sales", "Services")
COST_OF_SALES = ("Cost of goods sold", "Subcontractors")
OPERATING_EXPENSES = (
    "Salaries and wages",
    "Payroll taxes and benefits",
    "Rent",
    "Software and subscriptions",
    "Marketing",
    "Insurance",
    "Bank service charges",
    "Depreciation",
    "Other operating expenses",
)
ASSETS = ("Cash", "Accounts receivable", "Prepaid expenses", "Fixed assets, net")
LIABILITIES = ("Accounts payable", "Accrued liabilities", "Bank loan")
EQUITY = ("Common stock", "Retained earnings")
# Income accounts are credit (negative) balances in the ledger; expenses debit (positive).
PL_ACCOUNTS = (*REVENUE, *COST_OF_SALES, *OPERATING_EXPENSES, "Interest expense", "Interest income")
INCOME_ACCOUNTS = frozenset((*REVENUE, "Interest income"))

FLOWS = ("capex", "loan", "shares")
# Transaction flags (the close's activity).
UNREVIEWED, UNCATEGORIZED, ANOMALY = 1, 2, 4


# -- the ledger's records -----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One journal entry: balanced legs (debits positive), what it was and who it was with."""

    day: date
    legs: tuple[tuple[str, int], ...]
    kind: str
    party: str
    flags: int = 0


@dataclass(frozen=True)
class OpenItem:
    """An invoice to a customer or a bill from a vendor, open from ``issued`` until ``paid_on``."""

    number: str
    party: str
    issued: date
    due: date
    amount: int
    paid_on: date
    method: str = "ach"  # how a bill is paid: "ach" or "check"


@dataclass(frozen=True)
class CashItem:
    """One movement of cash as the books (``booked``) and the bank (``cleared``) date it."""

    booked: date
    cleared: date
    amount: int  # positive in, negative out
    description: str


@dataclass(frozen=True)
class State:
    """What a month end carries into the next month."""

    balances: dict[str, int]
    invoices: tuple[OpenItem, ...]  # open at the month end
    bills: tuple[OpenItem, ...]
    cash: tuple[CashItem, ...]  # not both booked and cleared by the month end
    pending: tuple[Entry, ...]  # dated in a later month (payroll paid in arrears, bank fees)
    prepaid: tuple[tuple[str, int, int], ...]  # (expense account, amount left, months left)
    assets: tuple[tuple[int, int], ...]  # (net book value left, months of life left)
    headcount: int
    numbers: tuple[int, int, int]  # last invoice, bill and cheque numbers
    bank_balance: int


@dataclass(frozen=True)
class Month:
    """One generated month: its transactions, the items open during it and both of its ends."""

    first: date
    last: date
    opening: State
    closing: State
    entries: tuple[Entry, ...]  # booked in the month, by date
    invoices: tuple[OpenItem, ...]  # open at some moment of the month
    bills: tuple[OpenItem, ...]
    cash: tuple[CashItem, ...]  # booked or cleared in the month, or carried through it
    flows: dict[str, int]  # kind -> cash amount (capex, loan principal, shares issued)


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + count
    return index // 12, index % 12 + 1


def _clamp(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _plus_days(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


# -- who the business deals with -----------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    name: str
    joins: int  # first month (index from the ledger's opening) the party is active
    leaves: int  # first month it no longer is
    weight: float  # its share of the business's sales or purchases
    terms: int  # payment terms in days
    lateness: int  # how many days after the due date it usually pays


class Roster:
    """A slowly changing list of customers or vendors of one kind, generated as far as needed."""

    def __init__(self, rng_key: str, fake: Faker, suffix: str, *, initial: int, gap: float, tenure: float) -> None:
        self._key = rng_key
        self._fake = fake
        self._suffix = suffix
        self._initial = initial
        self._gap = gap
        self._tenure = tenure
        self._parties: list[Party] = []
        self._names: set[str] = set()

    def _grow(self) -> None:
        index = len(self._parties)
        rng = random.Random(f"{self._key}:{index}")
        tenure = max(6, round(rng.expovariate(1 / self._tenure)))
        if index < self._initial:  # there before the books open
            joins, leaves = -(10**6), -RUN_IN_MONTHS + tenure + round(rng.uniform(0, self._tenure))
        else:
            joins = max(-RUN_IN_MONTHS, self._parties[-1].joins) + max(1, round(rng.expovariate(1 / self._gap)))
            leaves = joins + tenure
        self._fake.seed_instance(f"{self._key}:{index}:name")
        name = self._fake.company() + self._suffix
        while name in self._names:
            name = self._fake.company() + self._suffix
        self._names.add(name)
        terms = rng.choice((15, 30, 30, 30, 45, 60))
        lateness = round(rng.choice((-3, 0, 2, 5, 8, 14, 25)) * rng.uniform(0.5, 1.5))
        self._parties.append(Party(name, joins, leaves, rng.uniform(0.3, 3.0), terms, lateness))

    def active(self, month: int) -> list[Party]:
        """The parties active in ``month``; at least the most recent one."""
        while len(self._parties) < self._initial or self._parties[-1].joins <= month:
            self._grow()
        found = [p for p in self._parties if p.joins <= month < p.leaves]
        if not found:
            found = [max((p for p in self._parties if p.joins <= month), key=lambda p: p.leaves)]
        return found


# -- the business's profile --------------------------------------------------------------------


class Business:
    """What stays the same about a business: its size, seasonality, rosters, rent and loan."""

    def __init__(self, seed: int, business_id: str, era: int) -> None:
        self.key = f"{seed}:{business_id}"
        self.era = era  # the year its books open
        self.run_in = 0 if era == 1 else RUN_IN_MONTHS  # no months before year 1
        rng = random.Random(f"{self.key}:profile")
        fake = Faker()
        fake.seed_instance(f"{self.key}:names")
        self.revenue = rng.randrange(5_000_000, 40_000_000) + rng.randrange(1, 100)  # a month's sales, cents
        self.growth = rng.uniform(0.02, 0.14)  # a year, on the opening size
        amplitude, phase = rng.uniform(0.06, 0.22), rng.uniform(0, 12)
        self.season = tuple(
            1 + amplitude * math.sin(2 * math.pi * (m + phase) / 12) + rng.uniform(-0.03, 0.03) for m in range(12)
        )
        self.product_share = rng.uniform(0.45, 0.8)
        self.cogs_rate = rng.uniform(0.35, 0.55)
        self.subcontract_rate = rng.uniform(0.1, 0.3)
        self.marketing_rate = rng.uniform(0.02, 0.05)
        self.other_rate = rng.uniform(0.02, 0.04)
        self.salary = rng.randrange(420_000, 780_000)  # a month per head
        self.headcount = max(2, round(self.revenue * rng.uniform(0.3, 0.4) / self.salary))
        self.payroll_tax_rate = rng.uniform(0.12, 0.18)
        self.rent = round(self.revenue * rng.uniform(0.03, 0.055))
        self.insurance = round(self.revenue * rng.uniform(0.08, 0.16))  # a year's premium
        self.insurance_month = rng.randrange(1, 13)
        self.loan = round(self.revenue * rng.uniform(0.6, 1.6))
        self.loan_rate = rng.uniform(0.05, 0.09)
        self.loan_principal = self.loan // rng.randrange(96, 150)
        self.opening_cash = round(self.revenue * rng.uniform(1.2, 2.4))
        self.opening_assets = round(self.revenue * rng.uniform(1.0, 2.2))
        self.common_stock = round(self.revenue * rng.uniform(0.4, 1.0))
        self.software = tuple(
            (f"{fake.last_name()} {rng.choice(('Cloud', 'Software', 'Systems', 'Labs'))}", rng.randrange(9_900, 90_000))
            for _ in range(rng.randrange(2, 5))
        )
        self.landlord = f"{fake.last_name()} Properties LLC"
        self.insurer = f"{fake.last_name()} Mutual Insurance"
        self.utility = f"{fake.city()} Power & Water"
        self.agency = f"{fake.last_name()} Media Group"
        self.bank = f"{fake.city()} Community Bank"
        self.investors = tuple(f"{fake.name()}" for _ in range(3))
        self.customers = Roster(f"{self.key}:customers", fake, "", initial=rng.randrange(8, 13), gap=3.5, tenure=36)
        self.suppliers = Roster(f"{self.key}:suppliers", fake, " Supply", initial=rng.randrange(3, 5), gap=8, tenure=48)
        self.contractors = Roster(
            f"{self.key}:contractors", fake, " Consulting", initial=rng.randrange(1, 3), gap=10, tenure=30
        )
        self.vendors = Roster(f"{self.key}:vendors", fake, "", initial=rng.randrange(3, 6), gap=6, tenure=40)

    def trend(self, index: int) -> float:
        """The size of the business in month ``index`` against its opening size."""
        return 1 + self.growth * index / 12

    def expected_sales(self, index: int, month: int) -> float:
        return self.revenue * self.trend(index) * self.season[month - 1]

    def opening_state(self) -> State:
        balances = dict.fromkeys((*ASSETS, *LIABILITIES, *EQUITY, *PL_ACCOUNTS), 0)
        balances["Cash"] = self.opening_cash
        balances["Fixed assets, net"] = self.opening_assets
        balances["Bank loan"] = -self.loan
        balances["Common stock"] = -self.common_stock
        balances["Retained earnings"] = -(self.opening_cash + self.opening_assets - self.loan - self.common_stock)
        return State(
            balances=balances,
            invoices=(),
            bills=(),
            cash=(),
            pending=(),
            prepaid=(),
            assets=((self.opening_assets, 48),),
            headcount=self.headcount,
            numbers=(1000, 0, 4000),
            bank_balance=self.opening_cash,
        )


# -- one month's transactions ------------------------------------------------------------------


def _generate(business: Business, index: int, opening: State) -> Month:
    """Month ``index`` (0 = the ledger's first month) from the state the month before left."""
    year, month = _add_months(business.era, 1, index)
    first, last = _month_bounds(year, month)
    days = last.day
    rng = random.Random(f"{business.key}:{year:04d}-{month:02d}")
    balances = dict(opening.balances)
    invoice_no, bill_no, check_no = opening.numbers
    entries: list[Entry] = [e for e in opening.pending if e.day <= last]
    pending = [e for e in opening.pending if e.day > last]
    new_invoices: list[OpenItem] = []
    new_bills: list[OpenItem] = []
    new_cash: list[CashItem] = []
    flows = {"capex": 0, "loan": 0, "shares": 0}

    def day(number: int) -> date:
        return first.replace(day=max(1, min(days, number)))

    def flag(recent: bool) -> int:
        # The books of the last days of a month are the least reviewed.
        unreviewed = rng.random() < (0.35 if recent else 0.04)
        return (UNREVIEWED | (UNCATEGORIZED if rng.random() < 0.3 else 0)) if unreviewed else 0

    def post(when: date, legs: tuple[tuple[str, int], ...], kind: str, party: str, *, flags: int | None = None) -> None:
        entry = Entry(when, legs, kind, party, flag(when.day > days - 6) if flags is None else flags)
        (entries if when <= last else pending).append(entry)

    def pay(when: date, amount: int, legs_other: str, kind: str, party: str, description: str, cleared: date) -> None:
        """Cash out (``amount`` > 0) against ``legs_other``, cleared by the bank on ``cleared``."""
        post(when, ((legs_other, amount), ("Cash", -amount)), kind, party)
        new_cash.append(CashItem(when, cleared, -amount, description))

    trend = business.trend(index)
    # Sales invoices to this month's customers.
    customers = business.customers.active(index)
    target = business.expected_sales(index, month) * rng.uniform(0.9, 1.1)
    weights = [c.weight * rng.uniform(0.6, 1.4) for c in customers]
    scale = sum(weights)
    for customer, weight in zip(customers, weights, strict=True):
        share = target * weight / scale
        count = 1 + (rng.random() < 0.5) + (rng.random() < 0.25)
        for part in range(count):
            amount = round(share / count * rng.uniform(0.7, 1.3))
            flags = None
            if rng.random() < 0.02:  # an unusually large order
                amount *= rng.randrange(3, 5)
                flags = ANOMALY | UNREVIEWED
            if amount <= 0:
                continue
            product = round(amount * min(1.0, max(0.0, business.product_share + rng.uniform(-0.2, 0.2))))
            issued = day(rng.randint(1, days) if part else rng.randint(1, 20))
            due = _plus_days(issued, customer.terms)
            paid = _plus_days(due, max(1 - customer.terms, customer.lateness + round(rng.gauss(0, 4))))
            if rng.random() < 0.04:  # a slow payer this time
                paid = _plus_days(paid, rng.randint(30, 110))
            invoice_no += 1
            item = OpenItem(f"INV-{invoice_no}", customer.name, issued, due, amount, paid)
            new_invoices.append(item)
            legs = [("Accounts receivable", amount)]
            if product:
                legs.append(("Product sales", -product))
            if amount - product:
                legs.append(("Services", product - amount))
            post(issued, tuple(legs), "invoice", customer.name, flags=flags)
    product_sales = sum(-leg[1] for e in entries if e.kind == "invoice" for leg in e.legs if leg[0] == "Product sales")
    service_sales = sum(-leg[1] for e in entries if e.kind == "invoice" for leg in e.legs if leg[0] == "Services")

    # Bills from vendors, paid on their terms.
    def bill(
        vendor: str, account: str, amount: int, issued: date, terms: int, method: str, flags: int | None = None
    ) -> None:
        nonlocal bill_no
        if amount <= 0:
            return
        bill_no += 1
        due = _plus_days(issued, terms)
        paid = _plus_days(due, -rng.randint(0, 4) if rng.random() < 0.9 else rng.randint(5, 25))
        paid = max(paid, _plus_days(issued, 1))
        new_bills.append(OpenItem(f"BILL-{bill_no}", vendor, issued, due, amount, paid, method))
        post(issued, ((account, amount), ("Accounts payable", -amount)), "bill", vendor, flags=flags)

    suppliers = business.suppliers.active(index)
    for supplier, amount in zip(
        suppliers, _split(round(product_sales * business.cogs_rate), len(suppliers), rng), strict=True
    ):
        for half, piece in enumerate(_split(amount, 2, rng)):
            bill(supplier.name, "Cost of goods sold", piece, day(rng.randint(1, 14) + 14 * half), 30, "check")
            if rng.random() < 0.015:  # the same bill entered twice
                duplicate = day(rng.randint(1, days))
                bill(supplier.name, "Cost of goods sold", piece, duplicate, 30, "check", ANOMALY | UNREVIEWED)
    contractors = business.contractors.active(index)
    for contractor, amount in zip(
        contractors, _split(round(service_sales * business.subcontract_rate), len(contractors), rng), strict=True
    ):
        bill(contractor.name, "Subcontractors", amount, day(rng.randint(24, 31)), 15, "ach")
    for software, fee in business.software:
        bill(software, "Software and subscriptions", round(fee * (1 + 0.05 * (index // 12))), day(3), 15, "ach")
    marketing = round(target * business.marketing_rate * rng.uniform(0.6, 1.5))
    for piece in _split(marketing, rng.randint(1, 2), rng):
        bill(business.agency, "Marketing", piece, day(rng.randint(5, 28)), 30, "ach")
    utilities = round(
        business.rent * 0.09 * (1 + 0.25 * math.cos(2 * math.pi * (month - 1) / 12)) * rng.uniform(0.9, 1.1)
    )
    bill(business.utility, "Other operating expenses", utilities, day(rng.randint(8, 12)), 21, "ach")
    vendors = business.vendors.active(index)
    other = round(target * business.other_rate * rng.uniform(0.7, 1.3))
    for vendor, amount in zip(vendors, _split(other, len(vendors), rng), strict=True):
        if rng.random() < 0.7:
            bill(vendor.name, "Other operating expenses", amount, day(rng.randint(1, days)), vendor.terms, "check")

    # Bills and invoices paid this month (issued this month or earlier).
    still_open_invoices = []
    for item in (*opening.invoices, *new_invoices):
        if item.paid_on <= last:
            cleared = _plus_days(item.paid_on, rng.choice((0, 1, 1, 1, 2, 3)))
            post(item.paid_on, (("Cash", item.amount), ("Accounts receivable", -item.amount)), "receipt", item.party)
            new_cash.append(CashItem(item.paid_on, cleared, item.amount, f"Deposit {item.number} - {item.party}"))
        else:
            still_open_invoices.append(item)
    still_open_bills = []
    for item in (*opening.bills, *new_bills):
        if item.paid_on <= last:
            if item.method == "check":
                check_no += 1
                description = f"Check #{check_no} - {item.party}"
                cleared = _plus_days(item.paid_on, rng.randint(3, 10))
            else:
                description = f"ACH {item.number} - {item.party}"
                cleared = item.paid_on
            pay(item.paid_on, item.amount, "Accounts payable", "bill payment", item.party, description, cleared)
        else:
            still_open_bills.append(item)

    # Payroll: first half paid on the 15th, second half accrued and paid on the 5th of next month.
    headcount = opening.headcount
    # Hiring follows the plan (the opening headcount grown with the business); people leave.
    hire = headcount < round(business.headcount * trend) and rng.random() < 0.5
    leave = rng.random() < 0.03
    headcount = max(2, headcount + hire - leave)
    gross = round(headcount * business.salary * (1 + 0.04 * (index // 12)) * rng.uniform(0.98, 1.04))
    first_half = gross // 2
    taxes = round(gross * business.payroll_tax_rate)
    pay(day(15), first_half, "Salaries and wages", "payroll", "Payroll", f"Payroll {day(15)}", day(15))
    post(
        last,
        (("Salaries and wages", gross - first_half), ("Accrued liabilities", first_half - gross)),
        "accrual",
        "Payroll",
    )
    post(last, (("Payroll taxes and benefits", taxes), ("Accrued liabilities", -taxes)), "accrual", "Payroll")
    next_year, next_month = _add_months(year, month, 1)
    if (next_year, next_month) <= (9999, 12):
        paid_wages = _clamp(next_year, next_month, 5)
        paid_taxes = _clamp(next_year, next_month, 10)
        post(
            paid_wages,
            (("Accrued liabilities", gross - first_half), ("Cash", first_half - gross)),
            "payroll",
            "Payroll",
        )
        new_cash.append(CashItem(paid_wages, paid_wages, first_half - gross, f"Payroll {paid_wages}"))
        post(paid_taxes, (("Accrued liabilities", taxes), ("Cash", -taxes)), "payroll", "Payroll taxes")
        new_cash.append(CashItem(paid_taxes, paid_taxes, -taxes, f"Payroll taxes {paid_taxes}"))

    # Rent paid a quarter ahead and insurance a year ahead, both expensed month by month.
    prepaid = list(opening.prepaid)
    rent = round(business.rent * (1.03 ** (index // 12)))
    if month % 3 == 1:
        pay(
            first,
            3 * rent,
            "Prepaid expenses",
            "prepayment",
            business.landlord,
            f"ACH rent Q{month // 3 + 1} - {business.landlord}",
            first,
        )
        prepaid.append(("Rent", 3 * rent, 3))
    if month == business.insurance_month:
        premium = round(business.insurance * trend * rng.uniform(0.97, 1.05))
        when = day(rng.randint(2, 9))
        pay(
            when, premium, "Prepaid expenses", "prepayment", business.insurer, f"ACH premium - {business.insurer}", when
        )
        prepaid.append(("Insurance", premium, 12))
    carried = []
    for account, left, months_left in prepaid:
        amount = left if months_left == 1 else left // months_left
        post(last, ((account, amount), ("Prepaid expenses", -amount)), "amortization", account)
        if months_left > 1:
            carried.append((account, left - amount, months_left - 1))

    # Fixed assets: a purchase now and then, straight-line depreciation of what is in service.
    assets = []
    depreciation = 0
    for value, months_left in opening.assets:
        amount = value if months_left == 1 else value // months_left
        depreciation += amount
        if months_left > 1:
            assets.append((value - amount, months_left - 1))
    if depreciation:
        post(
            last, (("Depreciation", depreciation), ("Fixed assets, net", -depreciation)), "depreciation", "Fixed assets"
        )
    if index >= 0 and rng.random() < 0.18:
        cost = round(business.revenue * trend * rng.uniform(0.03, 0.12))
        when = day(rng.randint(2, days))
        seller = rng.choice(vendors).name
        pay(when, cost, "Fixed assets, net", "capex", seller, f"Wire equipment - {seller}", when)
        assets.append((cost, rng.choice((36, 60))))
        flows["capex"] += cost

    # The bank loan: interest and principal debited on the 28th.
    loan = -balances["Bank loan"]
    if loan > 0:
        interest = round(loan * business.loan_rate / 12)
        principal = min(loan, business.loan_principal)
        when = day(28)
        post(
            when,
            (("Interest expense", interest), ("Bank loan", principal), ("Cash", -interest - principal)),
            "loan",
            business.bank,
        )
        new_cash.append(CashItem(when, when, -interest - principal, f"Loan payment - {business.bank}"))
        flows["loan"] += principal

    # Rarely, the owners put in more capital.
    if index >= 0 and rng.random() < 1 / 40:
        amount = round(business.revenue * rng.uniform(0.5, 2.0))
        investor = rng.choice(business.investors)
        when = day(rng.randint(3, days - 2))
        post(when, (("Cash", amount), ("Common stock", -amount)), "shares", investor, flags=ANOMALY | UNREVIEWED)
        new_cash.append(CashItem(when, when, amount, f"Wire in share issuance - {investor}"))
        flows["shares"] += amount

    # The bank's own lines on the statement's last day, booked when the statement arrives.
    fee = rng.randrange(2_500, 4_500) + 1_500 * sum(1 for c in new_cash if c.description.startswith("Wire"))
    interest_earned = max(1, round(max(0, opening.bank_balance) * 0.004 / 12 * rng.uniform(0.9, 1.1)))
    if (next_year, next_month) <= (9999, 12):
        booked = _clamp(next_year, next_month, 3)
        post(booked, (("Bank service charges", fee), ("Cash", -fee)), "bank fee", business.bank)
        post(booked, (("Cash", interest_earned), ("Interest income", -interest_earned)), "bank interest", business.bank)
        new_cash.append(CashItem(booked, last, -fee, f"Service charges {last:%Y-%m} - {business.bank}"))
        new_cash.append(CashItem(booked, last, interest_earned, f"Interest earned {last:%Y-%m} - {business.bank}"))

    entries.sort(key=lambda e: e.day)
    for entry in entries:
        for account, amount in entry.legs:
            balances[account] += amount
    touching = (*opening.cash, *new_cash)
    bank_balance = opening.bank_balance + sum(c.amount for c in touching if first <= c.cleared <= last)
    closing = State(
        balances=balances,
        invoices=tuple(still_open_invoices),
        bills=tuple(still_open_bills),
        cash=tuple(c for c in touching if c.booked > last or c.cleared > last),
        pending=tuple(sorted(pending, key=lambda e: e.day)),
        prepaid=tuple(carried),
        assets=tuple(assets),
        headcount=headcount,
        numbers=(invoice_no, bill_no, check_no),
        bank_balance=bank_balance,
    )
    return Month(
        first=first,
        last=last,
        opening=opening,
        closing=closing,
        entries=tuple(entries),
        invoices=(*opening.invoices, *new_invoices),
        bills=(*opening.bills, *new_bills),
        cash=touching,
        flows=flows,
    )


def _dormant(business: Business, index: int, opening: State) -> Month:
    """A month after the trading years: only what earlier months scheduled (payroll paid in
    arrears, bank fees booked) is posted, and the bank clears what it had not yet."""
    year, month = _add_months(business.era, 1, index)
    first, last = _month_bounds(year, month)
    entries = tuple(e for e in opening.pending if e.day <= last)
    balances = dict(opening.balances)
    for entry in entries:
        for account, amount in entry.legs:
            balances[account] += amount
    cash = opening.cash
    closing = replace(
        opening,
        balances=balances,
        cash=tuple(c for c in cash if c.booked > last or c.cleared > last),
        pending=tuple(e for e in opening.pending if e.day > last),
        bank_balance=opening.bank_balance + sum(c.amount for c in cash if first <= c.cleared <= last),
    )
    return Month(first, last, opening, closing, entries, opening.invoices, opening.bills, cash, dict.fromkeys(FLOWS, 0))


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` split into ``parts`` non-negative integers that sum to it exactly."""
    if parts <= 0:
        return []
    weights = [rng.random() + 0.2 for _ in range(parts)]
    scale = sum(weights)
    shares = [int(total * w / scale) for w in weights]
    shares[-1] += total - sum(shares)
    return shares


# -- the ledger and its cache --------------------------------------------------------------------


def era_of(day: date) -> int:
    """The year the books that hold ``day`` open (the first year of its decade)."""
    return max(1, day.year // 10 * 10)


@lru_cache(maxsize=64)
def _business(seed: int, business_id: str, era: int) -> Business:
    return Business(seed, business_id, era)


_LOCK = threading.Lock()
_MONTHS: OrderedDict[tuple[int, str, int, int], Month] = OrderedDict()
_STATES: OrderedDict[tuple[int, str, int, int], State] = OrderedDict()


def cache_sizes() -> tuple[int, int]:
    """How many generated months and month-end states this process keeps now."""
    with _LOCK:
        return len(_MONTHS), len(_STATES)


class BusinessBooks:
    """The general ledger of one business, as opened in ``era``; months generated on demand."""

    def __init__(self, seed: int, business_id: str, era: int) -> None:
        self.seed = seed
        self.business_id = business_id
        self.business = _business(seed, business_id, era)
        self.era = era
        self.opened = date(era, 1, 1)

    def _key(self, index: int) -> tuple[int, str, int, int]:
        return (self.seed, self.business_id, self.era, index)

    def index_of(self, day: date) -> int:
        return (day.year - self.era) * 12 + day.month - 1

    def month(self, index: int) -> Month:
        """Month ``index`` (``-run_in`` is the first generated)."""
        if index > TRADING_MONTHS:
            settled = self.month(TRADING_MONTHS).closing
            if not settled.cash and not settled.pending:  # nothing moves any more
                bounds = _month_bounds(*_add_months(self.era, 1, index))
                flows = dict.fromkeys(FLOWS, 0)
                return Month(*bounds, settled, settled, (), settled.invoices, settled.bills, (), flows)
        with _LOCK:
            found = _MONTHS.get(self._key(index))
            if found is not None:
                _MONTHS.move_to_end(self._key(index))
                return found
            start = index
            while start > -self.business.run_in and self._key(start - 1) not in _STATES:
                start -= 1
            opening = start == -self.business.run_in
            state = self.business.opening_state() if opening else _STATES[self._key(start - 1)]
        for at in range(start, index + 1):
            generated = (_generate if at < TRADING_MONTHS else _dormant)(self.business, at, state)
            state = generated.closing
            with _LOCK:
                _STATES[self._key(at)] = state
                _STATES.move_to_end(self._key(at))
                while len(_STATES) > STATES_KEPT:
                    _STATES.popitem(last=False)
        with _LOCK:
            _MONTHS[self._key(index)] = generated
            while len(_MONTHS) > MONTHS_KEPT:
                _MONTHS.popitem(last=False)
        return generated

    def _month_at(self, day: date) -> Month:
        """The month holding ``day`` (the last run-in month for a day before the books open)."""
        return self.month(max(self.index_of(day), -self.business.run_in) if day >= self.opened else -1)

    def months(self, start: date, end: date) -> list[Month]:
        """The months of the span that have transactions (the dormant ones have none)."""
        last = min(self.index_of(end), TRADING_MONTHS)
        return [self.month(i) for i in range(self.index_of(start), last + 1)]

    def balances(self, day: date) -> dict[str, int]:
        """Every account's balance at the end of ``day`` (the opening balances before the books open)."""
        if day < self.opened:
            return dict(self.month(0).opening.balances)
        month = self.month(self.index_of(day))
        if day == month.last:
            return month.closing.balances
        balances = dict(month.opening.balances)
        for entry in month.entries:
            if entry.day > day:
                break
            for account, amount in entry.legs:
                balances[account] += amount
        return balances

    def entries(self, start: date, end: date) -> list[Entry]:
        return [e for m in self.months(max(start, self.opened), end) for e in m.entries if start <= e.day <= end]

    def open_items(self, day: date, kind: str) -> list[OpenItem]:
        """The invoices (``kind`` "invoices") or bills ("bills") open at the end of ``day``."""
        month = self._month_at(day)
        if day >= month.last:
            return list(getattr(month.closing, kind))
        return [i for i in getattr(month, kind) if i.issued <= day < i.paid_on]

    def cash_items(self, day: date) -> list[CashItem]:
        """Cash movements not both booked and cleared at the end of ``day``."""
        month = self._month_at(day)
        return [c for c in month.cash if (c.booked <= day) != (c.cleared <= day)]

    def bank_balance(self, day: date) -> int:
        """The bank statement's balance at the end of ``day``, from the lines it cleared."""
        month = self._month_at(day)
        return month.opening.bank_balance + sum(c.amount for c in month.cash if month.first <= c.cleared <= day)

    def flows(self, start: date, end: date) -> dict[str, int]:
        """Cash spent on fixed assets, loan principal repaid and shares issued in the span."""
        totals = {"capex": 0, "loan": 0, "shares": 0}
        for month in self.months(max(start, self.opened), end):
            if start <= month.first and month.last <= end:
                for key, value in month.flows.items():
                    totals[key] += value
                continue
            for entry in month.entries:
                if start <= entry.day <= end:
                    legs = dict(entry.legs)
                    if entry.kind == "capex":
                        totals["capex"] += legs["Fixed assets, net"]
                    elif entry.kind == "loan":
                        totals["loan"] += legs["Bank loan"]
                    elif entry.kind == "shares":
                        totals["shares"] -= legs["Common stock"]
        return totals

    def budget(self, start: date, end: date) -> dict[str, int]:
        """The plan for each P&L line over the span (a month's plan prorated by its days)."""
        totals = dict.fromkeys(PL_ACCOUNTS, 0)
        b = self.business
        for month in self.months(max(start, self.opened), end):
            index = self.index_of(month.first)
            if index >= TRADING_MONTHS:
                continue  # dormant: nothing planned
            plan = random.Random(f"{b.key}:budget:{month.first.year}")
            bias = {account: plan.uniform(0.93, 1.07) for account in PL_ACCOUNTS}
            sales = b.expected_sales(index, month.first.month)
            payroll = round(b.headcount * b.trend(index)) * b.salary * (1 + 0.04 * (index // 12)) * 1.01
            actual_pl = {
                a: month.closing.balances[a] - month.opening.balances[a] for a in PL_ACCOUNTS
            }  # schedule lines are planned from what the schedules say
            planned = {
                "Product sales": sales * b.product_share,
                "Services": sales * (1 - b.product_share),
                "Cost of goods sold": sales * b.product_share * b.cogs_rate,
                "Subcontractors": sales * (1 - b.product_share) * b.subcontract_rate,
                "Salaries and wages": payroll,
                "Payroll taxes and benefits": payroll * b.payroll_tax_rate,
                "Marketing": sales * b.marketing_rate,
                "Other operating expenses": sales * b.other_rate * 0.7 + b.rent * 0.09,
            }
            days = (min(end, month.last) - max(start, month.first)).days + 1
            for account in PL_ACCOUNTS:
                base = planned.get(account, abs(actual_pl[account]))
                totals[account] += round(base * bias[account] * days / month.last.day / 100) * 100
        return totals


def books_for(seed: int, business_id: str, start: date) -> BusinessBooks:
    """The ledger a span starting on ``start`` is a view of."""
    return BusinessBooks(seed, business_id, era_of(start))


# -- the books of a period -----------------------------------------------------------------------


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
    # Balance sheet, opening (the end of the day before the period) and closing.
    opening: dict[str, int]
    closing: dict[str, int]
    capex: int
    loan_repayment: int
    budget: dict[str, int]
    ar_aging: tuple[AgingRow, ...]
    ap_aging: tuple[AgingRow, ...]
    bank_service_charges: int  # on the statement, not yet in the books
    bank_interest_earned: int
    deposits_in_transit: tuple[ReconcilingItem, ...] = field(default=())
    outstanding_checks: tuple[ReconcilingItem, ...] = field(default=())
    interest_income: int = 0
    shares_issued: int = 0
    bank_balance: int | None = None  # the statement's own balance (None: derived from the items)
    opened_before: bool = False  # the period starts when the books open

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
        return self.operating_income - self.interest_expense + self.interest_income

    @property
    def depreciation(self) -> int:
        return self.operating_expenses["Depreciation"]

    def total_assets(self, side: dict[str, int]) -> int:
        return sum(side[k] for k in ASSETS)

    def total_liabilities(self, side: dict[str, int]) -> int:
        return sum(side[k] for k in LIABILITIES)

    def total_equity(self, side: dict[str, int]) -> int:
        return sum(side[k] for k in EQUITY)

    def operating_cash_flow(self) -> list[tuple[str, int]]:
        return operating_cash_flow(self.net_income, self.depreciation, self.opening, self.closing)

    @property
    def financing(self) -> list[tuple[str, int]]:
        lines = [("Repayment of bank loan", -self.loan_repayment)]
        if self.shares_issued:
            lines.append(("Proceeds from issuing shares", self.shares_issued))
        return lines

    @property
    def net_cash_change(self) -> int:
        operating = sum(v for _, v in self.operating_cash_flow())
        return operating - self.capex + sum(v for _, v in self.financing)

    @property
    def adjusted_book_balance(self) -> int:
        return self.closing["Cash"] - self.bank_service_charges + self.bank_interest_earned

    @property
    def bank_statement_balance(self) -> int:
        if self.bank_balance is not None:
            return self.bank_balance
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


def _statement(balances: dict[str, int]) -> dict[str, int]:
    """BusinessBooks balances as a balance sheet shows them: liabilities and equity positive, the
    year's income closed into retained earnings."""
    sheet = {k: balances[k] for k in ASSETS}
    sheet.update({k: -balances[k] for k in LIABILITIES})
    sheet["Common stock"] = -balances["Common stock"]
    sheet["Retained earnings"] = -balances["Retained earnings"] - sum(balances[k] for k in PL_ACCOUNTS)
    return sheet


def _aging(items: list[OpenItem], as_of: date) -> tuple[AgingRow, ...]:
    """Open items by party, bucketed by days past their due date."""
    by_party: dict[str, list[int]] = {}
    for item in items:
        late = (as_of - item.due).days
        bucket = 0 if late <= 0 else 1 if late <= 30 else 2 if late <= 60 else 3 if late <= 90 else 4
        by_party.setdefault(item.party, [0] * len(AGING_BUCKETS))[bucket] += item.amount
    return tuple(AgingRow(party, tuple(buckets)) for party, buckets in sorted(by_party.items()))


def make_books(*, seed: int, business_id: str, business_name: str, period_start: date, period_end: date) -> Books:
    """The books of one business for one period: a view of its ledger."""
    ledger = books_for(seed, business_id, period_start)
    before = period_start - timedelta(days=1) if period_start > date.min else period_start
    opening_balances = ledger.balances(before) if period_start > ledger.opened else ledger.month(0).opening.balances
    closing_balances = ledger.balances(period_end)
    pl = {a: closing_balances[a] - opening_balances[a] for a in PL_ACCOUNTS}
    flows = ledger.flows(period_start, period_end)
    unbooked = [c for c in ledger.cash_items(period_end) if c.cleared <= period_end < c.booked]
    outstanding = [c for c in ledger.cash_items(period_end) if c.booked <= period_end < c.cleared]
    return Books(
        business_name=business_name,
        period_start=period_start,
        period_end=period_end,
        revenue={a: -pl[a] for a in REVENUE},
        cost_of_sales={a: pl[a] for a in COST_OF_SALES},
        operating_expenses={a: pl[a] for a in OPERATING_EXPENSES},
        interest_expense=pl["Interest expense"],
        interest_income=-pl["Interest income"],
        opening=_statement(opening_balances),
        closing=_statement(closing_balances),
        capex=flows["capex"],
        loan_repayment=flows["loan"],
        shares_issued=flows["shares"],
        budget={a: v for a, v in ledger.budget(period_start, period_end).items()},
        ar_aging=_aging(ledger.open_items(period_end, "invoices"), period_end),
        ap_aging=_aging(ledger.open_items(period_end, "bills"), period_end),
        bank_service_charges=-sum(c.amount for c in unbooked if c.amount < 0),
        bank_interest_earned=sum(c.amount for c in unbooked if c.amount > 0),
        deposits_in_transit=tuple(
            ReconcilingItem(c.description, c.amount) for c in sorted(outstanding, key=_by_date) if c.amount > 0
        ),
        outstanding_checks=tuple(
            ReconcilingItem(c.description, -c.amount) for c in sorted(outstanding, key=_by_date) if c.amount < 0
        ),
        bank_balance=ledger.bank_balance(period_end),
        opened_before=period_start <= ledger.opened,
    )


def _by_date(item: CashItem) -> tuple[date, str]:
    return (item.booked, item.description)


@dataclass(frozen=True)
class Activity:
    """What the books of a span hold that a close depends on."""

    transaction_count: int
    unreviewed: int
    uncategorized: int
    unmatched_bank_lines: int
    anomalies: int


def books_activity(seed: int, business_id: str, start: date, end: date) -> Activity:
    """The span's transactions, their review state, and the bank lines the books do not have yet."""
    ledger = books_for(seed, business_id, start)
    entries = ledger.entries(start, end)
    unmatched = [c for c in ledger.cash_items(end) if c.cleared <= end < c.booked and c.cleared >= start]
    return Activity(
        transaction_count=len(entries),
        unreviewed=sum(1 for e in entries if e.flags & UNREVIEWED),
        uncategorized=sum(1 for e in entries if e.flags & UNCATEGORIZED),
        unmatched_bank_lines=len(unmatched),
        anomalies=sum(1 for e in entries if e.flags & ANOMALY),
    )
