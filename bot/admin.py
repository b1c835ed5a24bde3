"""Admin commands: /reload, /stats and /report, for the ids in HELPLINE_ADMIN_IDS only.

Anyone else gets a polite refusal, and the attempt is recorded under their pseudonym. The
figures' nouns agree with their numbers where the language's words list their forms
(content/plural.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.alerts import request_alert
from bot.reloader import ContentReloader
from content.clock import BISHKEK
from content.plural import format_counts
from handlers.conversation import Conversation
from handlers.replies import Document, Incoming, Outcome, Reply
from storage.clock import stamp

COMMANDS = frozenset({"reload", "stats", "report", "alert"})
ReportBuilder = Callable[[], tuple[str, bytes, str]]  # → (summary, html, filename)


class AdminCommands:
    def __init__(
        self,
        conversation: Conversation,
        reloader: ContentReloader,
        admin_ids: frozenset[int],
        weekly_report: ReportBuilder | None = None,
    ) -> None:
        self.conversation = conversation
        self.reloader = reloader
        self.admin_ids = admin_ids
        self.weekly_report = weekly_report

    def handle(self, incoming: Incoming) -> Outcome | None:
        """The reply to an admin command, or None when the message is not one."""
        text = incoming.text.strip()
        if not text.startswith("/") or incoming.button is not None:
            return None
        command = text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() if len(text) > 1 else ""
        if command not in COMMANDS:
            return None
        lang = self.conversation.language_for(incoming)
        words = self.conversation.knowledge.content.ui[lang]["admin"]
        if incoming.user_id not in self.admin_ids:
            user_key = self.conversation.pseudonymizer.user_key(incoming.user_id)
            self.conversation.querylog.record_event("admin_refused", f"/{command} by {user_key}")
            return Outcome([Reply(words["refused"])], lang)
        if command == "reload":
            result = self.reloader.reload()
            if result.ok:
                return Outcome([Reply(format_counts(words["reloaded"], lang, topics=result.topics))], lang)
            return Outcome([Reply(words["reload_failed"] + "\n" + "\n".join(result.problems[:30]))], lang)
        if command == "alert":  # /alert ID queues an alert for the alert job (bot/alerts.py)
            argument = text.split(maxsplit=1)[1].strip() if " " in text else ""
            return Outcome(
                [
                    request_alert(
                        self.conversation.querylog.db,
                        self.conversation.pseudonymizer,
                        self.conversation.knowledge.content,
                        argument,
                        lang,
                        "admin",
                    )
                ],
                lang,
            )
        if command == "stats":
            return Outcome([Reply(format_counts(words["stats"], lang, **self.today_figures()))], lang)
        if self.weekly_report is None:
            return Outcome([Reply(words["refused"])], lang)
        summary, html, filename = self.weekly_report()
        return Outcome([Reply(summary)], lang, documents=[Document(filename, html, summary.splitlines()[0])])

    def today_figures(self, now: dt.datetime | None = None) -> dict[str, object]:
        """Figures since midnight in Bishkek, straight from the log."""
        local = (now or dt.datetime.now(dt.UTC)).astimezone(BISHKEK)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)
        since = stamp(start)
        log = self.conversation.querylog
        log.flush()
        db = log.db
        row = next(
            db.query(
                "SELECT COUNT(*) AS messages, COUNT(DISTINCT user_key) AS users, "
                "COALESCE(SUM(fallback), 0) AS fallbacks, COUNT(danger) AS danger, COUNT(pointer) AS pointers, "
                "COALESCE(SUM(entry = 'pointer'), 0) AS pointer_presses FROM queries WHERE ts >= ?",
                [since],
            )
        )
        votes = next(
            db.query(
                "SELECT COALESCE(SUM(helpful), 0) AS helpful, COUNT(*) - COALESCE(SUM(helpful), 0) AS unhelpful "
                "FROM feedback WHERE ts >= ?",
                [since],
            )
        )
        open_tickets = next(db.query("SELECT COUNT(*) AS n FROM tickets WHERE status = 'open'"))["n"]
        set_aside = db.execute("SELECT COUNT(*) FROM dead_letters WHERE ts >= ?", [since]).fetchone()[0]
        faults = dict(
            db.execute(
                "SELECT kind, COUNT(*) FROM events WHERE ts >= ? AND kind IN "
                "('update_unreadable', 'reply_given_up', 'answer_offered_again', 'database_replaced') GROUP BY kind",
                [since],
            ).fetchall()
        )
        rate = f"{row['fallbacks'] / row['messages']:.0%}" if row["messages"] else "0%"
        return {
            **row,
            **votes,
            "fallback_rate": rate,
            "open_tickets": open_tickets,
            "log_failures": log.failures,
            "pending": log.pending,
            "set_aside": set_aside,
            "unreadable": faults.get("update_unreadable", 0),
            "given_up": faults.get("reply_given_up", 0),
            "offered_again": faults.get("answer_offered_again", 0),
            # counted in memory too: the events of the file that was deleted went with it
            "database_replaced": max(faults.get("database_replaced", 0), log.file.replaced if log.file else 0),
        }
