"""Bishkek time: the clock caseworkers and reviewers live by (working hours, review dates,
the weekly report, "today" in /stats). One definition for every layer above content."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

BISHKEK = ZoneInfo("Asia/Bishkek")


def bishkek_today() -> dt.date:
    return dt.datetime.now(BISHKEK).date()
