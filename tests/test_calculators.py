"""The two answers that compute: registration deadline and the 15-day job change rule."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.understanding.calculators import job_change_deadline, registration_deadline
from handlers.understanding.dates import scan_dates
from tests.conftest import all_text

TODAY = dt.date(2026, 11, 29)


@pytest.mark.parametrize(
    "typed",
    ["03.11", "3.11.2026", "2026-11-03", "3 ноября", "3-ноябрь", "3 November", "November 3rd", "3-noyabr", "03/11/26"],
)
def test_an_arrival_date_in_any_common_form_gives_the_registration_deadline(typed):
    calc = registration_deadline(scan_dates(f"приехал {typed}"), TODAY)
    assert (calc["arrival"], calc["deadline"]) == (dt.date(2026, 11, 3), dt.date(2026, 12, 2))
    assert calc["passed"] is False and calc["days_left"] == 3


@pytest.mark.parametrize(
    ("arrival", "deadline"),
    [
        ("2026-01-31", dt.date(2026, 3, 1)),  # through the end of February
        ("2024-02-29", dt.date(2024, 3, 29)),  # leap day
        ("2025-12-15", dt.date(2026, 1, 13)),  # across the new year
    ],
)
def test_the_thirty_days_count_the_day_of_entry_as_the_first(arrival, deadline):
    assert registration_deadline(scan_dates(arrival), TODAY)["deadline"] == deadline


def test_a_yearless_arrival_date_is_the_most_recent_one_not_in_the_future():
    assert registration_deadline(scan_dates("приехал 20 декабря"), TODAY)["arrival"] == dt.date(2025, 12, 20)


def test_a_date_that_does_not_exist_is_not_guessed():
    scan = scan_dates("приехал 31.02")
    assert scan.dates == () and scan.unreadable


@pytest.mark.parametrize(
    ("days", "applies"),
    [(89, False), (90, True), (91, True)],
)
def test_the_fifteen_day_rule_starts_after_ninety_days_in_the_country(days, applies):
    arrival = dt.date(2026, 1, 1)
    end = arrival + dt.timedelta(days=days)
    calc = job_change_deadline(scan_dates(f"приехал {arrival.isoformat()} уволили {end.isoformat()}"), TODAY)
    assert calc["rule_applies"] is applies
    assert calc["days_in_country"] == days
    assert calc["deadline"] == end + dt.timedelta(days=15)


def test_the_last_day_to_sign_a_new_contract_crosses_month_ends():
    calc = job_change_deadline(scan_dates("приехал 01.01.2026, договор закончился 2026-04-20"), TODAY)
    assert calc["deadline"] == dt.date(2026, 5, 5)


def test_a_contract_end_date_alone_still_gives_the_last_day():
    calc = job_change_deadline(scan_dates("договор закончился 10 июля 2026"), TODAY)
    assert calc["arrival"] is None and calc["deadline"] == dt.date(2026, 7, 25)


def test_a_migrant_who_gives_an_arrival_date_reads_the_deadline_in_the_answer(say):
    outcome = say("я приехал 3 ноября, до какого числа регистрация?", force_country="RU")
    assert outcome.topic == "registration"
    assert "2 декабря 2026" in all_text(outcome)


def test_a_date_that_cannot_be_read_gets_an_example_of_what_to_type(say):
    outcome = say("приехал 31.02 нужна регистрация", force_country="RU")
    assert outcome.topic == "registration"
    assert "Не смог прочитать дату" in all_text(outcome)
