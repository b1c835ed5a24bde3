"""The weekly report's alert figures: subscribers now, new ones, and how each alert went.

Counts only, never a user key. Kept apart from the other figures so the section can be
read (and changed) on its own; `review/report.py` calls `compute_alert_figures` and
`alert_tables`, and the page includes `templates/alerts.html.j2`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

WORDS = {
    "en": {
        "alerts": "Alerts",
        "subscribers_now": "Subscribers now",
        "new_subscribers": "Subscribed this period",
        "by_country": "Subscriptions by host country (a person may choose several)",
        "alert": "Alert",
        "delivered": "Delivered",
        "not_delivered": "Not delivered",
        "blocked": "Blocked the bot (unsubscribed)",
        "uncertain": "Uncertain after a crash",
        "no_alerts": "No alert was sent in this period.",
    },
    "ru": {
        "alerts": "Оповещения",
        "subscribers_now": "Подписчиков сейчас",
        "new_subscribers": "Подписались за период",
        "by_country": "Подписки по странам пребывания (можно выбрать несколько)",
        "alert": "Оповещение",
        "delivered": "Доставлено",
        "not_delivered": "Не доставлено",
        "blocked": "Заблокировали бота (подписка удалена)",
        "uncertain": "Неизвестно после сбоя",
        "no_alerts": "За период оповещений не отправляли.",
    },
}


@dataclass(frozen=True)
class AlertSent:
    alert_id: str
    delivered: int
    failed: int
    blocked: int
    uncertain: int


@dataclass
class AlertFigures:
    subscribers: int = 0
    new_subscribers: int = 0
    by_country: list[tuple[str, int]] = field(default_factory=list)  # most chosen first
    sent: list[AlertSent] = field(default_factory=list)  # deliveries recorded in the period


def compute_alert_figures(conn: sqlite3.Connection, bounds: tuple[str, str]) -> AlertFigures | None:
    """Figures for [start, end) as log timestamps; None when alerts were never set up."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"alert_subscriptions", "alert_deliveries"} <= tables:
        return None
    figures = AlertFigures()
    counts: dict[str, int] = {}
    for (countries,) in conn.execute("SELECT countries FROM alert_subscriptions"):
        figures.subscribers += 1
        for code in filter(None, countries.split(",")):
            counts[code] = counts.get(code, 0) + 1
    figures.by_country = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    figures.new_subscribers = conn.execute(
        "SELECT COUNT(*) FROM alert_subscriptions WHERE since >= ? AND since < ?", bounds
    ).fetchone()[0]
    rows = conn.execute(
        "SELECT alert_id, SUM(status = 'sent'), SUM(status = 'failed'), SUM(status = 'blocked'), "
        "SUM(status = 'uncertain') FROM alert_deliveries WHERE updated >= ? AND updated < ? "
        "AND status IN ('sent', 'failed', 'blocked', 'uncertain') GROUP BY alert_id ORDER BY MIN(updated)",
        bounds,
    )
    figures.sent = [AlertSent(alert_id, *(int(n or 0) for n in numbers)) for alert_id, *numbers in rows]
    return figures


def alert_tables(figures: AlertFigures | None) -> dict[str, tuple[list[str], list[list]]]:
    """CSV tables beside the report (none when alerts were never set up)."""
    if figures is None:
        return {}
    return {
        "alerts": (
            ["alert", "delivered", "not_delivered", "blocked", "uncertain"],
            [[s.alert_id, s.delivered, s.failed, s.blocked, s.uncertain] for s in figures.sent],
        ),
        "alert_subscribers": (
            ["country", "subscribers"],
            [
                ["all", figures.subscribers],
                ["new_this_period", figures.new_subscribers],
                *[[code, n] for code, n in figures.by_country],
            ],
        ),
    }
