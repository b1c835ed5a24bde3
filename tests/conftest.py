"""Shared fixtures: the bundled content and trained models are built once per test run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from content import Content, load_content
from handlers.actions import Action, actions_of
from handlers.conversation import Conversation
from handlers.knowledge import Knowledge, build_knowledge
from handlers.replies import Incoming, Outcome
from storage.database import open_database
from storage.profiles import Profiles
from storage.pseudonym import Pseudonymizer
from storage.querylog import QueryLog

REPO = Path(__file__).resolve().parent.parent
TEST_KEY = b"test-hash-key-0123456789abcdef"
TODAY = dt.date(2026, 11, 29)


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture(scope="session")
def knowledge(content: Content) -> Knowledge:
    return build_knowledge(content)


@pytest.fixture
def make_conversation(knowledge: Knowledge, tmp_path: Path) -> Callable[..., Conversation]:
    """A fresh conversation with its own database in a temporary folder."""

    def make(db_path: Path | None = None) -> Conversation:
        db = open_database(db_path or tmp_path / "helpline.sqlite")
        return Conversation(knowledge, QueryLog(db), Profiles(db), Pseudonymizer(TEST_KEY), today=lambda: TODAY)

    return make


@pytest.fixture
def conversation(make_conversation) -> Conversation:
    return make_conversation()


@pytest.fixture
def say(conversation: Conversation) -> Callable[..., Outcome]:
    """Send text (or press a button: an action, or raw data as a client may send) as one migrant."""

    def send(text: str = "", button: Action | str | None = None, **extra) -> Outcome:
        data = button.pack() if isinstance(button, Action) else button
        return conversation.handle(Incoming(extra.pop("user_id", 5551234), text, button=data, **extra))

    return send


def all_text(outcome: Outcome) -> str:
    return "\n".join(reply.plain for reply in outcome.replies)


def button_data(outcome: Outcome) -> list[str]:
    return [button.data for reply in outcome.replies for row in reply.buttons for button in row]


def actions(outcome: Outcome) -> list[Action]:
    """What the buttons under the replies do, in the order shown."""
    return [action for reply in outcome.replies for action in actions_of(reply.buttons)]
