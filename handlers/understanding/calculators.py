"""The two answers that compute a deadline from dates in the message.

They return what the topic's template receives as `calc` (see CALCULATOR_SAMPLES in
content/library.py); nothing about the person is kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from handlers.understanding.dates import DateScan, resolve

DAYS_WITHOUT_REGISTRATION = 30  # report §19, §135
DAYS_BEFORE_JOB_CHANGE_RULE = 90  # report §135
DAYS_TO_FIND_NEW_CONTRACT = 15  # report §135


def registration_deadline(scan: DateScan, today: dt.date) -> dict[str, Any] | None:
    """Arrival date → the last of the 30 days without registration (entry day is day 1)."""
    if not scan.dates:
        return None
    arrival = resolve(scan.dates[0], today, past_only=True)
    deadline = arrival + dt.timedelta(days=DAYS_WITHOUT_REGISTRATION - 1)
    return {"arrival": arrival, "deadline": deadline}


def job_change_deadline(scan: DateScan, today: dt.date) -> dict[str, Any] | None:
    """Arrival and contract end → whether the 15-day rule applies, and its last day.

    The rule (§135): when the contract ends after 90 days in the country, a new contract,
    also with a new employer, may be signed within the following 15 days.
    """
    if not scan.dates:
        return None
    if len(scan.dates) == 1:
        end = resolve(scan.dates[0], today, past_only=False)
        arrival = None
    else:
        first = resolve(scan.dates[0], today, past_only=True)
        second = resolve(scan.dates[1], today, past_only=False)
        if scan.dates[1].year is None and second < first:
            second = second.replace(year=second.year + 1)
        arrival, end = sorted((first, second))
    deadline = end + dt.timedelta(days=DAYS_TO_FIND_NEW_CONTRACT)
    if arrival is None:
        return {"arrival": None, "end": end, "days_in_country": None, "rule_applies": None,
                "deadline": deadline}
    days = (end - arrival).days
    return {
        "arrival": arrival,
        "end": end,
        "days_in_country": days,
        "rule_applies": days >= DAYS_BEFORE_JOB_CHANGE_RULE,
        "deadline": deadline,
    }


CALCULATORS = {
    "registration_deadline": registration_deadline,
    "job_change_deadline": job_change_deadline,
}
