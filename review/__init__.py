"""The weekly review: figures from the query log, the report caseworkers read, and the loop
that turns unanswered questions into routing examples.

- `stats.compute_week(db, start_utc, end_utc, ...)`: every figure of a period, in SQL.
- `report.build_report(db, period, ...)`, `render_html`, `write_report`: the HTML and CSVs.
- `loop.run_review(...)`: the terminal walk through the week's unanswered questions.
- `weekly.build_weekly_delivery(database_path, ...)`: what the bot posts every week.
"""

from review.period import Period, choose_period, last_full_week, next_report_time, parse_week
from review.stats import WeekStats, compute_week

__all__ = [
    "Period",
    "WeekStats",
    "choose_period",
    "compute_week",
    "last_full_week",
    "next_report_time",
    "parse_week",
]
