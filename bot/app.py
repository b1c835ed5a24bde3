"""Assembling helpline from settings: content, trained models, storage, conversation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.config import Settings
from content import load_content
from handlers.conversation import Conversation
from handlers.handoff import Handoff, HandoffSettings
from handlers.knowledge import build_knowledge
from storage.database import open_database
from storage.profiles import Profiles
from storage.pseudonym import Pseudonymizer, load_or_create_key
from storage.querylog import QueryLog
from storage.tickets import Tickets


@dataclass
class Helpline:
    settings: Settings
    conversation: Conversation
    querylog: QueryLog


def build_helpline(settings: Settings, today=dt.date.today) -> Helpline:
    """Load content (raising ContentError when it is broken), train, open the log."""
    content = load_content(settings.content_dir)
    knowledge = build_knowledge(content, cache_dir=settings.data_dir / "cache")
    db = open_database(settings.database_path)
    querylog = QueryLog(db)
    querylog.purge(settings.retention_days)
    pseudonymizer = Pseudonymizer(load_or_create_key(settings.hash_key, settings.data_dir))
    tickets = Tickets(db, pseudonymizer)
    tickets.purge(settings.retention_days)
    conversation = Conversation(knowledge, querylog, Profiles(db), pseudonymizer, today=today)
    conversation.handoff = Handoff(
        tickets, HandoffSettings(settings.caseworker_chat_id, settings.caseworker_hours),
        ui=lambda lang: conversation.knowledge.content.ui[lang],
    )
    return Helpline(settings, conversation, querylog)
