"""Both deadline calculators against a plain `datetime` oracle, over every date form the bot reads.

A migrant may write a date as 03.11, 3.11.26, 2026-11-03, "3 ноября", "3-ноябрда",
"3 noyabrya", "3ноября", "November 3", with a Kyrgyz ending glued on ("03.11де", "29.01.2025те"), or
in the Kyrgyz year-first order ("2025-жылдын 3-ноябрында"). Whatever the form, the
computed dates must equal what the documented rules give when worked out by hand:

- a year-less date is the most recent such day not after today (registration, contract
  end), and the entry the most recent such day not after the contract end;
- registration: the day of entry is day 1 of 30, so the last day is entry + 29;
- new contract: the 15 days follow the day the contract ended, so the last day is end + 15;
  the rule applies when end − entry is 90 days or more;
- the last day itself is still in time.

"Today" is drawn too, so dates fall either side of it, at month and year ends and on
29 February.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from handlers.understanding.calculators import job_change_deadline, registration_deadline
from handlers.understanding.dates import scan_dates

MONTHS = {
    "ru_genitive": [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
    "ru_ky_nominative": [
        "январь",
        "февраль",
        "март",
        "апрель",
        "май",
        "июнь",
        "июль",
        "август",
        "сентябрь",
        "октябрь",
        "ноябрь",
        "декабрь",
    ],
    "ky_with_ending": [
        "январда",
        "февралда",
        "мартта",
        "апрелде",
        "майда",
        "июнда",
        "июлда",
        "августта",
        "сентябрда",
        "октябрда",
        "ноябрдан",
        "декабрда",
    ],
    "latin_ru": [
        "yanvarya",
        "fevralya",
        "marta",
        "aprelya",
        "maya",
        "iyunya",
        "iyulya",
        "avgusta",
        "sentyabrya",
        "oktyabrya",
        "noyabrya",
        "dekabrya",
    ],
    "latin_ky": [
        "yanvar",
        "fevral",
        "mart",
        "aprel",
        "may",
        "iyun",
        "iyul",
        "avgust",
        "sentyabr",
        "oktyabr",
        "noyabr",
        "dekabr",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "en_short": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
KYRGYZ_ENDINGS = [
    "да",
    "де",
    "та",
    "те",
    "дан",
    "ден",
    "тан",
    "тен",
    "га",
    "ге",
    "ка",
    "ке",
    "-да",
    "-де",
    "-дан",
    "-ге",
]

# Dates near "interesting" days: month and year ends, 29 February, and any day at all.
EDGE_DAYS = st.sampled_from(
    [(31, 12), (1, 1), (29, 2), (28, 2), (1, 3), (31, 1), (30, 4), (31, 3), (30, 11), (1, 12), (31, 10)]
)


@st.composite
def days_around(draw, years=range(2021, 2031)) -> dt.date:
    year = draw(st.sampled_from(years))
    if draw(st.booleans()):
        day, month = draw(EDGE_DAYS)
        try:
            return dt.date(year, month, day)
        except ValueError:
            return dt.date(year, 2, 28)
    return dt.date(year, 1, 1) + dt.timedelta(days=draw(st.integers(0, 364)))


@st.composite
def written(draw, date: dt.date, with_year: bool) -> str:
    """One way a person could type `date`, with or without its year."""
    d, m, y = date.day, date.month, date.year
    numeric_day = draw(st.sampled_from([f"{d:02}", f"{d}"]))
    numeric_month = draw(st.sampled_from([f"{m:02}", f"{m}"]))
    separator = draw(st.sampled_from([".", "/", "-"]))
    if separator == "-" and not with_year:
        numeric_day, numeric_month = f"{d:02}", f"{m:02}"  # "1-2" is a range; "01-02" a date
    month_style = draw(st.sampled_from(sorted(MONTHS)))
    name = MONTHS[month_style][m - 1]
    if with_year:
        forms = [
            f"{numeric_day}{separator}{numeric_month}{separator}{y}",
            f"{numeric_day}{separator}{numeric_month}{separator}{y % 100:02}",
            f"{y}-{m:02}-{d:02}",
            f"{d} {name} {y}",
            f"{d}-{name} {y}-жылы",
            f"{y}-жылдын {d}-{name}",
            f"{y} жылы {d} {name}",
            f"{name} {d}, {y}",
            f"{d} {name} {y} года",
            f"{d}{name} {y}",
        ]
    else:
        forms = [f"{numeric_day}{separator}{numeric_month}", f"{d} {name}", f"{d}-{name}", f"{name} {d}", f"{d}{name}"]
    form = draw(st.sampled_from(forms))
    if form[-1].isdigit() and draw(st.booleans()):
        form += draw(st.sampled_from(KYRGYZ_ENDINGS))
    return form


def latest_on_or_before(day: int, month: int, bound: dt.date) -> dt.date:
    """The oracle: step back a year at a time until the day exists and is not after `bound`."""
    year = bound.year
    while True:
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate <= bound:
            return candidate
        year -= 1


@st.composite
def arrivals(draw):
    today = draw(days_around())
    with_year = draw(st.booleans())
    arrival = draw(days_around(range(today.year - 5, today.year + 1)))
    if not with_year:
        arrival = latest_on_or_before(arrival.day, arrival.month, today)
    text = draw(written(arrival, with_year))
    return today, arrival, text


@settings(max_examples=400, deadline=None)
@given(arrivals(), st.sampled_from(["приехал {}", "{} келдим", "arrived {}", "priehal {}", "{}"]))
def test_the_registration_deadline_matches_the_calendar_in_every_form(case, message):
    today, arrival, text = case
    calc = registration_deadline(scan_dates(message.format(text)), today)
    deadline = arrival + dt.timedelta(days=29)
    assert calc["arrival"] == arrival, text
    assert calc["deadline"] == deadline
    assert calc["passed"] is (today > deadline)
    assert calc["days_left"] == (None if today > deadline else (deadline - today).days)
    assert calc["days_ago"] == ((today - deadline).days if today > deadline else None)


@settings(max_examples=300, deadline=None)
@given(days_around(), st.integers(1, 31), st.integers(1, 12))
def test_a_year_less_arrival_is_never_in_the_future(today, day, month):
    assume(day <= 29 or month != 2)
    assume(day <= 30 or month in (1, 3, 5, 7, 8, 10, 12))
    calc = registration_deadline(scan_dates(f"приехал {day:02}.{month:02}"), today)
    assert calc["arrival"] <= today
    assert calc["arrival"] == latest_on_or_before(day, month, today)


@st.composite
def two_dates(draw):
    today = draw(days_around())
    end = today - dt.timedelta(days=draw(st.integers(0, 700)))
    arrival = end - dt.timedelta(days=draw(st.integers(0, 360)))
    with_years = draw(st.booleans())
    if not with_years:
        # Written without years, the oracle's reading is the one the person means here.
        assume(latest_on_or_before(end.day, end.month, today) == end)
        assume(latest_on_or_before(arrival.day, arrival.month, end) == arrival)
    return today, arrival, end, draw(written(arrival, with_years)), draw(written(end, with_years))


MESSAGES = [
    "приехал {arrival}, уволили {end}",
    "уволили {end}, а приехал {arrival}",
    "{arrival} келдим, {end} иштен бошотушту",
    "{end} келишим бүттү, {arrival} келгем",
    "arrived {arrival}, fired {end}",
    "contract ended {end}, I came {arrival}",
]


@settings(max_examples=400, deadline=None)
@given(two_dates(), st.sampled_from(MESSAGES))
def test_the_new_contract_deadline_matches_the_calendar_in_every_form_and_order(case, message):
    today, arrival, end, arrival_text, end_text = case
    calc = job_change_deadline(scan_dates(message.format(arrival=arrival_text, end=end_text)), today)
    deadline = end + dt.timedelta(days=15)
    assert (calc["arrival"], calc["end"]) == (arrival, end), (arrival_text, end_text)
    assert calc["days_in_country"] == (end - arrival).days
    assert calc["rule_applies"] is ((end - arrival).days >= 90)
    assert calc["deadline"] == deadline
    assert calc["passed"] is (today > deadline)


@settings(max_examples=300, deadline=None)
@given(days_around(), days_around(), days_around())
def test_two_year_less_dates_are_never_in_the_future_and_entry_never_after_the_end(today, first, second):
    for message in (f"приехал {first:%d.%m}, уволили {second:%d.%m}", f"уволили {second:%d.%m}, приехал {first:%d.%m}"):
        calc = job_change_deadline(scan_dates(message), today)
        assert calc["end"] == latest_on_or_before(second.day, second.month, today)
        assert calc["arrival"] == latest_on_or_before(first.day, first.month, calc["end"])
        assert calc["arrival"] <= calc["end"] <= today


@settings(max_examples=200, deadline=None)
@given(days_around(), st.sampled_from(["29.02", "29 февраля", "29-февралда", "29 fevralya", "February 29"]))
def test_a_year_less_29_february_is_the_last_one_that_has_come(today, typed):
    calc = registration_deadline(scan_dates(f"приехал {typed}"), today)
    expected = latest_on_or_before(29, 2, today)
    assert calc["arrival"] == expected and calc["arrival"].month == 2 and calc["arrival"].day == 29
    assert calc["year_guessed"] is (expected.year < today.year)


@pytest.mark.parametrize(
    "message",
    [
        "приеду через 1-2 дня",
        "встреча в 10.30",
        "сел в 5 маршрутку",
        "1899-га чалдым",
        "5 separate forms",
        "телефон 123-45-67",
    ],
)
def test_what_only_looks_like_a_date_is_neither_read_nor_corrected(message):
    scan = scan_dates(message)
    assert scan.dates == () and not scan.unreadable


@pytest.mark.parametrize("message", ["приехал 31.02", "30.02де келдим", "arrived 31 April", "приехал 45 ноября"])
def test_a_day_that_cannot_exist_is_flagged_and_nothing_is_computed(message):
    scan = scan_dates(message)
    assert scan.unreadable
    assert registration_deadline(scan, dt.date(2026, 11, 29)) is None
    assert job_change_deadline(scan, dt.date(2026, 11, 29)) is None
