"""Assembling helpline from settings: content, trained models, storage, conversation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.config import Settings
from content import load_content
from handlers.conversation import Conversation
from handlers.knowledge import build_knowledge
from storage.database import open_database
from storage.profiles import Profiles
from storage.pseudonym import Pseudonymizer, load_or_create_key
from storage.querylog import QueryLog


@dataclass
class Helpline:
    settings: Settings
    conversation: Conversation
    querylog: QueryLog


def build_helpline(settings: Settings, today=dt.date.today) -> Helpline:
    """Load content (raising ContentError when it is broken), train, open the log."""
    content = load_content(settings.content_dir)
    knowledge = build_knowledge(content)
    db = open_database(settings.database_path)
    querylog = QueryLog(db)
    querylog.purge(settings.retention_days)
    pseudonymizer = Pseudonymizer(load_or_create_key(settings.hash_key, settings.data_dir))
    conversation = Conversation(knowledge, querylog, Profiles(db), pseudonymizer, today=today)
    return Helpline(settings, conversation, querylog)
