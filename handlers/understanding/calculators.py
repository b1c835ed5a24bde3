"""The two answers that compute a deadline from dates in the message.

They return what the topic's template receives as `calc`; each is attached with
`@implements` to its entry in the one registry, content/calculators.py, which declares what
it provides and the samples validation renders with. Nothing about the person is kept.

Counting rules, from the report:
- Registration (§19 "trente jours à compter de la date d'entrée", §135): the day of entry is
  day 1, so the last day without registration is entry + 29 days. Of the two readings of
  §135 ("dans les trente jours suivant leur arrivée") this is the earlier last day: a
  migrant who follows it is never late under either.
- New contract (§135 "une fois écoulé un délai de quatre-vingt-dix jours après l'arrivée …
  dans les quinze jours suivants"): the 90 days are whole days elapsed from the day of
  entry to the day the contract ended (end − entry ≥ 90); the 15 days follow the day the
  contract ended, so that day is day 0 and the last day is end + 15 days.
- A deadline day itself is still in time; the day after it, it has passed.
- When one of the dates cannot be real (31.02), nothing is computed from the others: the
  person is asked to type the date again rather than given a deadline built on half of it.

Dates written without a year are never put in the future: the contract end is the most
recent such day up to today, and the entry the most recent such day up to the end.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from content.calculators import CALCULATORS, implements
from handlers.understanding.dates import DateScan, TypedDate, latest_on_or_before

DAYS_WITHOUT_REGISTRATION = 30  # report §19, §135
DAYS_BEFORE_JOB_CHANGE_RULE = 90  # report §135
DAYS_TO_FIND_NEW_CONTRACT = 15  # report §135


def _timing(deadline: dt.date, today: dt.date) -> dict[str, Any]:
    """Whether the last day has passed, and by how many days either way."""
    passed = today > deadline
    return {
        "passed": passed,
        "days_left": None if passed else (deadline - today).days,  # 0: today is the last day
        "days_ago": (today - deadline).days if passed else None,
    }


def _guessed_earlier_year(typed: list[tuple[TypedDate, dt.date]], today: dt.date) -> bool:
    """True when a year the person did not write was put before this year (29.02 → 2024)."""
    return any(date.year is None and resolved.year < today.year for date, resolved in typed)


def _roles(scan: DateScan) -> tuple[TypedDate | None, TypedDate | None]:
    """Which date is the entry and which the contract end.

    Russian puts the verb first («приехал 10.12, уволили 20.03»), Kyrgyz puts it last
    («10.12де келдим, 20.03тө бошотушту»); in both the two events come in the same order
    as their dates, so the event named first owns the first date. When only the ending is
    named, before both dates («уволили 10.07, а работал с 01.03»), it owns the first date.
    Otherwise the first date is the entry, as in the bot's own example; a single date is
    the end unless only an arrival is named.
    """
    dates = scan.dates
    if not dates:
        return None, None
    arrival_at, end_at = scan.arrival_word_at, scan.end_word_at
    if len(dates) == 1:
        if arrival_at is not None and end_at is None:
            return dates[0], None
        return None, dates[0]
    ending_first = end_at is not None and end_at < (dates[0].position if arrival_at is None else arrival_at)
    if ending_first:
        return dates[1], dates[0]
    return dates[0], dates[1]


@implements("registration_deadline")
def registration_deadline(scan: DateScan, today: dt.date) -> dict[str, Any] | None:
    """Arrival date → the last of the 30 days without registration (entry day is day 1)."""
    if not scan.dates or scan.unreadable:
        return None
    typed, _ = _roles(scan)
    typed = typed or scan.dates[0]
    arrival = latest_on_or_before(typed, today)
    deadline = arrival + dt.timedelta(days=DAYS_WITHOUT_REGISTRATION - 1)
    return {
        "arrival": arrival,
        "deadline": deadline,
        "year_guessed": _guessed_earlier_year([(typed, arrival)], today),
        **_timing(deadline, today),
    }


@implements("job_change_deadline")
def job_change_deadline(scan: DateScan, today: dt.date) -> dict[str, Any] | None:
    """Arrival and contract end → whether the 15-day rule applies, and its last day.

    The rule (§135): when the contract ends after 90 days in the country, a new contract,
    also with a new employer, may be signed within the following 15 days.
    """
    if scan.unreadable:
        return None
    typed_arrival, typed_end = _roles(scan)
    if typed_end is None:
        if typed_arrival is None:
            return None
        arrival = latest_on_or_before(typed_arrival, today)
        return {
            "arrival": arrival,
            "end": None,
            "days_in_country": None,
            "rule_applies": None,
            "rule_from": arrival + dt.timedelta(days=DAYS_BEFORE_JOB_CHANGE_RULE),
            "deadline": None,
            "passed": None,
            "days_left": None,
            "days_ago": None,
            "year_guessed": _guessed_earlier_year([(typed_arrival, arrival)], today),
        }
    end = latest_on_or_before(typed_end, today)
    arrival = None if typed_arrival is None else latest_on_or_before(typed_arrival, min(end, today))
    if arrival is not None and end < arrival:  # both written with years, in the other order
        arrival, end = end, arrival
    deadline = end + dt.timedelta(days=DAYS_TO_FIND_NEW_CONTRACT)
    resolved = [(typed_end, end)] + ([(typed_arrival, arrival)] if typed_arrival and arrival else [])
    days = None if arrival is None else (end - arrival).days
    return {
        "arrival": arrival,
        "end": end,
        "days_in_country": days,
        "rule_applies": None if days is None else days >= DAYS_BEFORE_JOB_CHANGE_RULE,
        "rule_from": None if arrival is None else arrival + dt.timedelta(days=DAYS_BEFORE_JOB_CHANGE_RULE),
        "deadline": deadline,
        "year_guessed": _guessed_earlier_year(resolved, today),
        **_timing(deadline, today),
    }


__all__ = ["CALCULATORS", "job_change_deadline", "registration_deadline"]
