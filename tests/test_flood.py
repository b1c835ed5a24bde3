"""Someone flooding the bot is slowed down politely; one long message in parts is not."""

from __future__ import annotations

from handlers.flood import FloodGate
from handlers.replies import Incoming
from tests.conftest import all_text


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_twenty_first_message_in_a_minute_gets_one_polite_warning_then_silence():
    clock = Clock()
    gate = FloodGate(clock=clock)
    verdicts = []
    for _ in range(23):
        verdicts.append(gate.check("k1:a", 20))
        clock.now += 2.5
    assert verdicts[:20] == ["pass"] * 20
    assert verdicts[20:] == ["warn", "drop", "drop"]
    clock.now += 61
    assert gate.check("k1:a", 20) == "pass"


def test_a_long_message_split_by_telegram_into_parts_counts_once():
    clock = Clock()
    gate = FloodGate(limit=3, clock=clock)
    for _ in range(10):
        assert gate.check("k1:b", 4096) == "pass"
        clock.now += 0.3


def test_other_users_are_not_slowed_by_someone_elses_flood():
    clock = Clock()
    gate = FloodGate(limit=2, clock=clock)
    for _ in range(5):
        gate.check("k1:flooder", 10)
    assert gate.check("k1:calm", 10) == "pass"


def test_the_conversation_tells_a_flooding_user_to_wait_in_their_language(conversation):
    clock = Clock()
    conversation.flood = FloodGate(limit=2, clock=clock)
    for _ in range(2):
        conversation.handle(Incoming(7, "спасибо"))
    warned = conversation.handle(Incoming(7, "спасибо"))
    assert "Подождите минуту" in all_text(warned)
    assert conversation.handle(Incoming(7, "спасибо")).replies == []


def test_a_message_signalling_danger_gets_through_even_when_flooding(conversation):
    conversation.flood = FloodGate(limit=1, clock=Clock())
    conversation.handle(Incoming(8, "спасибо"))
    conversation.handle(Incoming(8, "спасибо"))
    outcome = conversation.handle(Incoming(8, "хозяин забрал паспорт и не выпускает"))
    assert outcome.topic == "trafficking"
