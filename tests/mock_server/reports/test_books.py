from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server.reports.books import make_books

months = st.builds(lambda y, m: date(y, m, 1), st.integers(2020, 2030), st.integers(1, 12))


def books_for(seed: int, start: date):
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1).toordinal() - 1
    return make_books(
        seed=seed, business_id="b", business_name="Acme", period_start=start, period_end=date.fromordinal(end)
    )


@given(seed=st.integers(0, 10**6), start=months)
def test_the_books_hold_together_as_an_accountant_checks_them(seed, start) -> None:
    books = books_for(seed, start)
    o, c = books.opening, books.closing
    for side in (o, c):  # the balance sheet balances
        assert books.total_assets(side) == books.total_liabilities(side) + books.total_equity(side)
    assert c["Retained earnings"] - o["Retained earnings"] == books.net_income
    financing = sum(v for _, v in books.financing)  # loan repaid, shares issued now and then
    net_cash = sum(v for _, v in books.operating_cash_flow()) - books.capex + financing
    assert o["Cash"] + net_cash == c["Cash"], "cash flow must end at the closing book cash"
    assert sum(r.total for r in books.ar_aging) == c["Accounts receivable"]
    assert sum(r.total for r in books.ap_aging) == c["Accounts payable"]
    assert all(v >= 0 for r in (*books.ar_aging, *books.ap_aging) for v in r.buckets)
    assert set(books.budget) >= set(books.revenue) | set(books.operating_expenses)
    reconciled = (
        books.bank_statement_balance
        + sum(i.amount for i in books.deposits_in_transit)
        - sum(i.amount for i in books.outstanding_checks)
    )
    assert reconciled == books.adjusted_book_balance


def test_the_same_inputs_give_the_same_books_and_other_periods_differ() -> None:
    assert books_for(7, date(2026, 10, 1)) == books_for(7, date(2026, 10, 1))
    assert books_for(7, date(2026, 10, 1)).net_income != books_for(7, date(2026, 9, 1)).net_income


@pytest.mark.parametrize(
    "start, end",
    [
        (date(1, 1, 1), date(9999, 12, 31)),
        (date(2020, 3, 1), date(2045, 6, 30)),
        (date(9999, 12, 1), date(9999, 12, 31)),
    ],
)
def test_a_span_past_the_trading_years_still_ties(start, end) -> None:
    books = make_books(seed=5, business_id="b", business_name="Acme", period_start=start, period_end=end)
    o, c = books.opening, books.closing
    assert books.total_assets(c) == books.total_liabilities(c) + books.total_equity(c)
    assert c["Retained earnings"] - o["Retained earnings"] == books.net_income
    assert o["Cash"] + books.net_cash_change == c["Cash"]
    reconciled = (
        books.bank_statement_balance
        + sum(i.amount for i in books.deposits_in_transit)
        - sum(i.amount for i in books.outstanding_checks)
    )
    assert reconciled == books.adjusted_book_balance


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    start=st.dates(date(2020, 1, 1), date(2028, 12, 31)),
    first_days=st.integers(0, 80),
    second_days=st.integers(0, 80),
)
def test_any_span_split_anywhere_adds_up(seed, start, first_days, second_days) -> None:
    """Books of any two adjacent spans: the first closes with what the second opens, and
    their P&L, capex and financing add up to those of the whole span."""
    middle = date.fromordinal(start.toordinal() + first_days)
    end = date.fromordinal(middle.toordinal() + 1 + second_days)

    def books(a: date, b: date):
        return make_books(seed=seed, business_id="b", business_name="Acme", period_start=a, period_end=b)

    first, second = books(start, middle), books(date.fromordinal(middle.toordinal() + 1), end)
    whole = books(start, end)
    assert first.closing == second.opening and first.opening == whole.opening and second.closing == whole.closing
    assert first.net_income + second.net_income == whole.net_income
    assert first.total_revenue + second.total_revenue == whole.total_revenue
    assert first.capex + second.capex == whole.capex
    assert first.net_cash_change + second.net_cash_change == whole.net_cash_change
