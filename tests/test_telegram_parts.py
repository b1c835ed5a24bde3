"""The pieces under both Telegram front ends, checked without a network or real time.

Splitting long answers, keyboards, the rate limiter and retries (on a fake clock), the
responder's ordering and failure isolation, group addressing, the webhook secret, and
what `helpline run` says without a token.
"""

from __future__ import annotations

import asyncio
import html
import re
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.config import ConfigError, load_settings
from bot.telegram.delivery import Delivery, Failure, RateLimiter, Undelivered
from bot.telegram.incoming import BotIdentity, incoming_message, is_addressed, message_kind
from bot.telegram.outgoing import keyboard, split_html, utf16_units
from bot.telegram.responder import Responder
from bot.telegram.webhook import webhook_path, webhook_secret
from handlers.replies import Button, Outcome, Reply
from testing.telegram_emulator import html_problem

_TAG = re.compile(r"</?[a-z]+>")


class FakeClock:
    """asyncio time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def visible(html_text: str) -> str:
    return re.sub(r"\s+", "", html.unescape(_TAG.sub("", html_text)))


# -- splitting ------------------------------------------------------------------------------

paragraphs = st.lists(
    st.text(alphabet=st.sampled_from("ab ц&<>\"'😀\n"), min_size=1, max_size=120), min_size=1, max_size=12
)


@settings(max_examples=200, deadline=None)
@given(paragraphs, st.text(alphabet="tT &<", max_size=20), st.integers(min_value=80, max_value=400))
def test_split_pieces_fit_parse_and_keep_every_character(parts: list[str], title: str, limit: int) -> None:
    reply = Reply("\n\n".join(parts), title=title or None)
    pieces = split_html(reply.html, limit)
    for piece in pieces:
        assert utf16_units(piece) <= limit
        assert html_problem(piece) is None, piece
    assert visible("".join(pieces)) == visible(reply.html)


def test_a_long_answer_is_cut_between_paragraphs() -> None:
    paragraph = "Слово " * 150  # about 900 characters
    reply = Reply("\n\n".join(f"{n}. {paragraph.strip()}" for n in range(12)), title="Патент")
    pieces = split_html(reply.html)
    assert len(pieces) == 3
    assert pieces[0].startswith("<b>Патент</b>")
    for piece in pieces[1:]:
        assert re.match(r"\d+\. Слово", piece)


def test_a_title_left_open_at_a_cut_is_closed_and_reopened() -> None:
    pieces = split_html("<b>" + "word " * 40 + "</b>", 60)
    assert all(p.startswith("<b>") and p.endswith("</b>") for p in pieces)


def test_keyboard_rows_wrap_at_eight_and_stop_at_one_hundred() -> None:
    row = tuple(Button(str(n), f"t:{n}") for n in range(20))
    rows = keyboard(Reply("x", (row,) * 6))
    assert [len(r) for r in rows][:3] == [8, 8, 4]
    assert sum(len(r) for r in rows) == 100


# -- rate limits and retries ----------------------------------------------------------------


async def test_one_chat_gets_a_short_burst_then_one_message_a_second() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(6):
        await limiter.acquire(1)
        times.append(round(clock.now, 3))
    assert times == [0, 0, 0, 1, 2, 3]


async def test_all_chats_together_get_thirty_messages_a_second() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    for chat in range(90):
        await limiter.acquire(chat)
    assert clock.now == pytest.approx(2.0)  # 30 at once, then 60 more at 30 a second


async def test_a_flood_wait_holds_every_chat() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    limiter.pause(5)
    await limiter.acquire(42)
    assert clock.now == pytest.approx(5)


class Flaky:
    """A Bot API call that fails with the given errors, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.attempts = 0

    async def __call__(self) -> str:
        self.attempts += 1
        if self.errors:
            raise self.errors.pop(0)
        return "sent"


class FloodWait(Exception):
    pass


class ServerError(Exception):
    pass


def classify(error: BaseException) -> Failure:
    if isinstance(error, FloodWait):
        return Failure(retry_after=3)
    return Failure(transient=isinstance(error, ServerError))


def delivery(clock: FakeClock) -> Delivery:
    return Delivery(classify, RateLimiter(clock=clock, sleep=clock.sleep))


async def test_429_waits_retry_after_and_resends() -> None:
    clock = FakeClock()
    sender = delivery(clock)
    call = Flaky(FloodWait(), FloodWait())
    assert await sender.call("sendMessage", call, chat_id=1) == "sent"
    assert call.attempts == 3 and clock.now >= 6 and sender.lost == 0


async def test_5xx_is_retried_with_growing_backoff() -> None:
    clock = FakeClock()
    sender = delivery(clock)
    call = Flaky(*(ServerError() for _ in range(4)))
    assert await sender.call("sendMessage", call, chat_id=1) == "sent"
    assert clock.now == pytest.approx(0.5 + 1 + 2 + 4)


async def test_a_message_that_cannot_go_is_logged_without_personal_data_and_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    sender = delivery(clock)
    call = Flaky(*(ServerError("chat 555123 Aibek") for _ in range(10)))
    with pytest.raises(Undelivered):
        await sender.call("sendMessage", call, chat_id=555123)
    assert call.attempts == 5 and sender.lost == 1
    assert "sendMessage" in caplog.text and "ServerError" in caplog.text
    assert "555123" not in caplog.text and "Aibek" not in caplog.text


async def test_a_final_error_is_not_retried() -> None:
    sender = delivery(FakeClock())
    call = Flaky(ValueError("bad request"))
    with pytest.raises(Undelivered):
        await sender.call("sendMessage", call, chat_id=1)
    assert call.attempts == 1


# -- responder --------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[int, str, list]] = []

    async def send(self, chat_id: int, text: str, rows: Any) -> None:
        await asyncio.sleep(0)
        self.sent.append((chat_id, text, list(rows)))

    async def edit(self, chat_id: int, message_id: int, text: str, rows: Any) -> None:
        raise AssertionError("no edits expected")

    async def typing(self, chat_id: int) -> None:
        pass

    async def answer_callback(self, callback_id: str) -> None:
        pass

    def classify(self, error: BaseException) -> Failure:
        return Failure()


class Scripted:
    """A conversation that answers from a table, or raises for one text."""

    def __init__(self, answers: dict[str, list[Reply]]) -> None:
        self.answers = answers

    def handle(self, incoming: Any) -> Outcome:
        if incoming.text == "boom":
            raise RuntimeError("broken")
        return Outcome(self.answers[incoming.text], "ru")


def text_message(chat_id: int, text: str) -> Any:
    return SimpleNamespace(
        text=text,
        caption=None,
        entities=None,
        caption_entities=None,
        reply_to_message=None,
        chat=SimpleNamespace(id=chat_id, type="private"),
        from_user=SimpleNamespace(id=chat_id, is_bot=False, language_code="ru"),
    )


def responder(answers: dict[str, list[Reply]]) -> tuple[Responder, Recorder]:
    transport = Recorder()
    limiter = RateLimiter(chat_burst=1000, overall_burst=1000)
    return Responder(Scripted(answers), transport, Delivery(transport.classify, limiter)), transport


async def test_a_long_reply_goes_out_in_pieces_with_the_buttons_on_the_last() -> None:
    long = Reply("\n\n".join(["Абзац " * 100] * 12), ((Button("👍", "f:1:x"),),))
    bot, transport = responder({"q": [long]})
    await bot.on_message(1, text_message(7, "q"))
    assert len(transport.sent) >= 2
    assert all(utf16_units(text) <= 4096 for _, text, _ in transport.sent)
    assert [bool(rows) for _, _, rows in transport.sent] == [False] * (len(transport.sent) - 1) + [True]


async def test_one_failing_update_is_logged_by_id_and_type_and_others_go_on(caplog: pytest.LogCaptureFixture) -> None:
    bot, transport = responder({"a": [Reply("first")], "b": [Reply("second")]})
    await asyncio.gather(
        bot.on_message(1, text_message(7, "a")),
        bot.on_message(2, text_message(7, "boom")),
        bot.on_message(3, text_message(8, "b")),
    )
    assert sorted(text for _, text, _ in transport.sent) == ["first", "second"]
    assert bot.failed_updates == 1
    assert "update 2 failed: RuntimeError" in caplog.text and "boom" not in caplog.text
    assert await bot.drain(1)


async def test_replies_in_one_chat_keep_the_order_of_the_questions() -> None:
    answers = {str(n): [Reply(f"{n}.1"), Reply(f"{n}.2")] for n in range(5)}
    bot, transport = responder(answers)
    await asyncio.gather(*(bot.on_message(n, text_message(7, str(n))) for n in range(5)))
    assert [text for _, text, _ in transport.sent] == [f"{n}.{k}" for n in range(5) for k in (1, 2)]


class TooOld(Recorder):
    """Telegram refuses to stop the spinner of a press it considers too old."""

    async def answer_callback(self, callback_id: str) -> None:
        raise ValueError("Bad Request: query is too old and response timeout expired")


async def test_a_button_pressed_long_ago_is_still_answered() -> None:
    transport = TooOld()
    bot = Responder(Scripted({}), transport, Delivery(transport.classify, RateLimiter()))
    bot.core = SimpleNamespace(handle=lambda incoming: Outcome([Reply(f"answer to {incoming.button}")], "ru"))
    press = SimpleNamespace(
        id="old",
        data="t:registration",
        message=SimpleNamespace(chat=SimpleNamespace(id=7, type="private")),
        from_user=SimpleNamespace(id=7, is_bot=False, language_code="ru"),
    )
    await bot.on_callback(1, press)
    assert [text for _, text, _ in transport.sent] == ["answer to t:registration"]
    assert bot.failed_updates == 0 and bot.delivery.lost == 0


# -- reading messages -------------------------------------------------------------------------

ME = BotIdentity(99, "helpline_bot")


def group_message(text: str, entities: list[Any], reply_from: int | None = None) -> Any:
    replied = SimpleNamespace(from_user=SimpleNamespace(id=reply_from)) if reply_from else None
    return SimpleNamespace(
        text=text,
        caption=None,
        entities=entities,
        caption_entities=None,
        reply_to_message=replied,
        chat=SimpleNamespace(id=-5, type="group"),
        from_user=SimpleNamespace(id=5, is_bot=False, language_code="ky"),
    )


def entity(kind: str, offset: int, length: int) -> Any:
    return SimpleNamespace(type=kind, offset=offset, length=length)


def test_group_messages_count_as_addressed_only_when_meant_for_the_bot() -> None:
    # "😀 " is three UTF-16 units: Telegram's offsets count them so.
    assert is_addressed(group_message("😀 @helpline_bot patent", [entity("mention", 3, 13)]), ME)
    assert not is_addressed(group_message("😀 @other_bot patent", [entity("mention", 3, 10)]), ME)
    assert is_addressed(group_message("/start@helpline_bot", [entity("bot_command", 0, 19)]), ME)
    assert not is_addressed(group_message("/start@other_bot", [entity("bot_command", 0, 16)]), ME)
    assert is_addressed(group_message("patent", [], reply_from=99), ME)
    assert not is_addressed(group_message("patent", []), ME)


def test_the_mention_is_not_part_of_the_question() -> None:
    incoming = incoming_message(group_message("@HelpLine_bot patent kerekpi", [entity("mention", 0, 13)]), ME)
    assert incoming is not None
    assert incoming.text == "patent kerekpi" and not incoming.private and incoming.addressed


def test_message_kinds() -> None:
    base = dict(text=None, voice=None, photo=None, sticker=None, document=None, location=None, contact=None)
    assert message_kind(SimpleNamespace(**{**base, "text": "hi"})) == "text"
    assert message_kind(SimpleNamespace(**{**base, "photo": [1], "caption": "q"})) == "photo"
    assert message_kind(SimpleNamespace(**{**base, "location": object()})) == "location"
    assert message_kind(SimpleNamespace(**base)) == "other"


# -- settings, commands, CLI -------------------------------------------------------------------


def test_webhook_secret_is_derived_from_the_token_unless_configured() -> None:
    derived = webhook_secret("123:TOKEN", {})
    assert derived == webhook_secret("123:TOKEN", {}) != webhook_secret("123:TOKEM", {})
    assert re.fullmatch(r"[0-9a-f]{64}", derived)  # nothing of the token shows
    assert webhook_secret("123:abc", {"HELPLINE_WEBHOOK_SECRET": "my-secret_0123456789"}) == "my-secret_0123456789"
    with pytest.raises(ConfigError, match="HELPLINE_WEBHOOK_SECRET"):
        webhook_secret("123:abc", {"HELPLINE_WEBHOOK_SECRET": "short"})
    assert derived not in webhook_path(derived)


@pytest.mark.parametrize(
    "command",
    [
        ["run"],
        ["run", "--framework", "ptb"],
        ["webhook", "--listen", "127.0.0.1:8443", "--url", "https://bot.example.org"],
    ],
)
def test_without_a_token_the_bot_explains_how_to_get_one(
    command: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("HELPLINE_DATA_DIR", str(tmp_path))
    assert main(command) == 2
    said = capsys.readouterr().err
    assert "@BotFather" in said and "helpline chat" in said


def test_webhook_rejects_a_bad_listen_address(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["webhook", "--listen", "nowhere", "--url", "https://bot.example.org"])
    assert stopped.value.code == 2
    assert "HOST:PORT" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["soon", "0", "1000"])
def test_a_retry_time_the_outbox_cannot_use_stops_start_up_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="HELPLINE_DELIVERY_RETRY_HOURS"):
        load_settings({"HELPLINE_DELIVERY_RETRY_HOURS": value}, dotenv=False)
    assert load_settings({"HELPLINE_DELIVERY_RETRY_HOURS": "0.5"}, dotenv=False).delivery_retry_hours == 0.5
