"""Assembling helpline from settings: content, trained models, storage, conversation.

`Helpline.handle` is the one door every front end uses: admin commands first, then the
conversation. The maintenance jobs (purge, content watch) live here too, so each front
end runs the same ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.admin import AdminCommands
from bot.config import Settings
from bot.reloader import ContentReloader
from content import load_content
from handlers.alerts import AlertDesk
from handlers.conversation import Conversation
from handlers.handoff import Handoff, HandoffSettings
from handlers.knowledge import build_knowledge
from handlers.replies import Incoming, Outcome
from storage import redaction
from storage.database import DatabaseFile, open_database
from storage.profiles import Profiles
from storage.pseudonym import Pseudonymizer, load_or_create_key
from storage.querylog import QueryLog
from storage.subscriptions import Subscriptions
from storage.tickets import Tickets


@dataclass
class Helpline:
    settings: Settings
    conversation: Conversation
    querylog: QueryLog
    reloader: ContentReloader
    admin: AdminCommands

    def handle(self, incoming: Incoming) -> Outcome:
        """Admin commands for admins (and a refusal for others), everything else to the conversation."""
        return self.admin.handle(incoming) or self.conversation.handle(incoming)

    def purge(self) -> int:
        return purge_expired(self.settings, self.conversation.pseudonymizer)


def purge_expired(settings: Settings, pseudonymizer: Pseudonymizer) -> int:
    """Delete what is older than the retention period: log rows, settings, tickets.

    On a connection of its own: the daily job runs beside the core's worker thread.
    """
    days = settings.retention_days
    db = open_database(settings.database_path)
    try:
        return (
            QueryLog(db).purge(days)
            + Tickets(db, pseudonymizer).purge(days)
            + Subscriptions(db, pseudonymizer).purge(days)
        )
    finally:
        db.conn.close()


def build_helpline(settings: Settings, today=dt.date.today) -> Helpline:
    """Load content (raising ContentError when it is broken), train, open the log."""
    redaction.warm_up()  # beside loading and training, not before the first reply
    cache_dir = settings.model_cache
    content = load_content(settings.content_dir, template_cache=cache_dir)
    knowledge = build_knowledge(content, cache_dir=cache_dir)
    database = DatabaseFile(settings.database_path)  # notices the file being deleted or replaced
    db = database.db
    querylog = QueryLog(db, file=database)
    pseudonymizer = Pseudonymizer(load_or_create_key(settings.hash_key, settings.data_dir))
    handoff = Handoff(
        Tickets(db, pseudonymizer),
        HandoffSettings(settings.caseworker_chat_id, settings.caseworker_hours),
    )
    alerts = AlertDesk(Subscriptions(db, pseudonymizer), settings.retention_days)
    conversation = Conversation(
        knowledge, querylog, Profiles(db), pseudonymizer, today=today, handoff=handoff, alerts=alerts
    )
    reloader = ContentReloader(conversation, content.directory, cache_dir)
    admin = AdminCommands(conversation, reloader, settings.admin_ids, weekly_report(settings, conversation))
    helpline = Helpline(settings, conversation, querylog, reloader, admin)
    helpline.purge()
    return helpline


def weekly_report(settings: Settings, conversation: Conversation):
    """Last week's report for /report and the Monday post, routed with the running bot's models."""

    def build() -> tuple[str, bytes, str]:
        from review.weekly import build_weekly_delivery  # heavy: only when a report is due

        return build_weekly_delivery(
            settings.database_path,
            lang=settings.report_lang,
            content_dir=settings.content_dir,
            knowledge=conversation.knowledge,
            model_cache=settings.model_cache,
        )

    return build
