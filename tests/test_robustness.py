"""Whatever a person sends, the bot answers without an exception, in valid Telegram HTML.

Property-based: hypothesis throws arbitrary Unicode, control characters, right-to-left
text, huge strings, HTML and Markdown injection and SQL-looking text at the whole message
path, from the incoming text to the pieces a front end would send.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.telegram.outgoing import split_html, utf16_units
from handlers.replies import Incoming

ALLOWED_TAGS = {"b", "i", "u", "s", "code", "pre", "a", "tg-spoiler", "blockquote"}
NASTY = [
    "<script>alert(1)</script>",
    "<b>bold",
    "</b>",
    "&amp;&lt;",
    "&",
    "<",
    ">",
    "*bold* _it_ `code` [x](http://e)",
    "'; DROP TABLE queries; --",
    '" OR 1=1 --',
    "\u202eRTL override\u202c",
    "مرحبا بك",
    "שלום",
    "\x00\x01\x1b[31m",
    "😀👨‍👩‍👧",
    "\u200b\u200d\ufeff",
    "   ",
    "\n\n\n",
    "/start <b>",
    "/start ../../etc",
]


class _TelegramHtml(HTMLParser):
    """Accepts only the tags Telegram knows, properly nested and closed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        assert tag in ALLOWED_TAGS, f"tag <{tag}> is not Telegram HTML"
        self.stack.append(tag)

    def handle_endtag(self, tag) -> None:
        assert self.stack and self.stack.pop() == tag, f"</{tag}> closes nothing"


def assert_sendable(outcome) -> None:
    for reply in outcome.replies + [forward.reply for forward in outcome.forwards]:
        for piece in split_html(reply.html):
            assert utf16_units(piece) <= 4096
            parser = _TelegramHtml()
            parser.feed(piece)
            parser.close()
            assert not parser.stack, f"unclosed {parser.stack}"
        for row in reply.buttons:
            for button in row:
                assert len(button.data.encode()) <= 64 and button.label


texts = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=200),
    st.sampled_from(NASTY),
    st.lists(st.sampled_from(NASTY + ["зарплата", "patent", "паспорт", "1899", "<i>"]), max_size=30).map(" ".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, lang=st.sampled_from([None, "ru", "ky", "en", "xx", ""]))
def test_any_text_gets_a_valid_answer(conversation, text, lang):
    outcome = conversation.handle(Incoming(31337, text, language_code=lang))
    assert_sendable(outcome)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.text(max_size=80))
def test_any_button_data_gets_a_valid_answer(conversation, data):
    assert_sendable(conversation.handle(Incoming(31337, button=data)))


@pytest.mark.parametrize("size", [4097, 10_000, 100_000])
def test_huge_messages_are_answered(conversation, size):
    text = ("зарплату не платят <b>&amp; " * (size // 27 + 1))[:size]
    outcome = conversation.handle(Incoming(31338, text))
    assert outcome.topic == "unpaid_wages"
    assert_sendable(outcome)


def test_injected_html_in_a_relayed_message_arrives_escaped(knowledge, tmp_path):
    from tests.test_handoff import agree, build, migrant

    bot = build(knowledge, tmp_path / "relay.sqlite")
    agree(bot)
    outcome = migrant(bot, "<b>x</b> & <script>alert(1)</script>" * 500)
    assert_sendable(outcome)
    assert "&lt;script&gt;" in outcome.forwards[0].reply.html
