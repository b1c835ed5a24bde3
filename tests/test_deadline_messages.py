"""Realistic messages in Russian, Kyrgyz and English, Cyrillic and Latin, through the conversation.

Host country Russia, today 2026-11-29 (tests/conftest.py). Each row is what a migrant
might type and what the bot must work out from it: the dates it read, the last day, and
whether that day has already passed. The rows include every case reported in issue 10.
The computed values are caught on their way to the answer, so the rows do not depend on
how a date is spelled out in the reply.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from handlers.understanding.calculators import CALCULATORS
from handlers.understanding.dates import scan_dates
from tests.conftest import TODAY, all_text

D = dt.date
REG = "registration"
JOB = "stay_and_job_change"

ROWS = [
    # -- registration, Russian -------------------------------------------------------------
    (
        "я приехал 3 ноября, до какого числа регистрация?",
        REG,
        {"arrival": D(2026, 11, 3), "deadline": D(2026, 12, 2), "passed": False, "days_left": 3},
    ),
    ("приехал 01.11 когда регистрация", REG, {"deadline": D(2026, 11, 30), "days_left": 1}),
    (
        "приехал 31.10, до какого числа можно без регистрации",
        REG,
        {"deadline": D(2026, 11, 29), "passed": False, "days_left": 0},
    ),
    ("приехал 30.10 когда регистрация", REG, {"deadline": D(2026, 11, 28), "passed": True, "days_ago": 1}),
    (
        "въехал 15.12.2025, регистрация нужна?",
        REG,
        {"arrival": D(2025, 12, 15), "deadline": D(2026, 1, 13), "passed": True},
    ),
    ("приехал 20 декабря сколько дней без регистрации", REG, {"arrival": D(2025, 12, 20), "passed": True}),
    ("приехал 29.02 когда регистрация", REG, {"arrival": D(2024, 2, 29), "year_guessed": True, "passed": True}),
    ("priehal 5 noyabrya registraciya nuzhna", REG, {"arrival": D(2026, 11, 5), "deadline": D(2026, 12, 4)}),
    ("priekhal 10.11.2026 kogda registratsiya", REG, {"arrival": D(2026, 11, 10), "deadline": D(2026, 12, 9)}),
    ("приехал 03.11 в 10.30 утра, когда регистрация", REG, {"arrival": D(2026, 11, 3)}),
    # -- registration, Kyrgyz --------------------------------------------------------------
    ("29.01.2025те келдим, каттоо качан?", REG, {"arrival": D(2025, 1, 29), "passed": True}),
    ("03.11де келдим, каттоо керекпи", REG, {"arrival": D(2026, 11, 3), "deadline": D(2026, 12, 2)}),
    (
        "31.03.2026да келдим, каттоосуз канча күн жүрсө болот",
        REG,
        {"arrival": D(2026, 3, 31), "deadline": D(2026, 4, 29), "passed": True},
    ),
    ("5-ноябрдан бери орусиядамын, каттоо качан керек", REG, {"arrival": D(2026, 11, 5), "passed": False}),
    ("10.07дан бери ушул жерде жүрөм, каттоо керекпи", REG, {"arrival": D(2026, 7, 10), "passed": True}),
    ("2026-жылдын 3-ноябрында келдим, каттоодон качан өтөм", REG, {"arrival": D(2026, 11, 3)}),
    ("20-noyabrda keldim kattoo kerekpi", REG, {"arrival": D(2026, 11, 20), "deadline": D(2026, 12, 19)}),
    ("28.11de keldim kattoo kachan", REG, {"arrival": D(2026, 11, 28), "days_left": 28}),
    ("2025-жылы 1-декабрда келдим, каттоо", REG, {"arrival": D(2025, 12, 1), "year_guessed": False, "passed": True}),
    # -- registration, English -------------------------------------------------------------
    ("I arrived on 3 November, when do I need to register?", REG, {"arrival": D(2026, 11, 3), "days_left": 3}),
    ("arrived 30 Oct, registration deadline?", REG, {"deadline": D(2026, 11, 28), "passed": True, "days_ago": 1}),
    (
        "I came to Russia on November 29th, do I need registration?",
        REG,
        {"arrival": D(2026, 11, 29), "deadline": D(2026, 12, 28), "days_left": 29},
    ),
    ("entered Russia 01/12/2025, do I need to register?", REG, {"arrival": D(2025, 12, 1), "passed": True}),
    # -- new contract within 15 days, Russian ----------------------------------------------
    (
        "приехал 10.12, уволили 20.03",
        JOB,
        {
            "arrival": D(2025, 12, 10),
            "end": D(2026, 3, 20),
            "days_in_country": 100,
            "rule_applies": True,
            "deadline": D(2026, 4, 4),
            "passed": True,
        },
    ),
    ("уволили 31.01", JOB, {"end": D(2026, 1, 31), "deadline": D(2026, 2, 15), "passed": True}),
    (
        "уволили 25.11 приехал 01.06",
        JOB,
        {
            "arrival": D(2026, 6, 1),
            "end": D(2026, 11, 25),
            "deadline": D(2026, 12, 10),
            "passed": False,
            "days_left": 11,
        },
    ),
    (
        "приехал 29.02, договор расторгли 31.05",
        JOB,
        {"arrival": D(2024, 2, 29), "end": D(2026, 5, 31), "year_guessed": True},
    ),
    (
        "приехал 01.03, договор закончился 10.07",
        JOB,
        {"arrival": D(2026, 3, 1), "end": D(2026, 7, 10), "days_in_country": 131, "deadline": D(2026, 7, 25)},
    ),
    (
        "меня уволили 14 ноября, сколько дней на поиск новой работы",
        JOB,
        {"end": D(2026, 11, 14), "deadline": D(2026, 11, 29), "passed": False, "days_left": 0},
    ),
    (
        "уволили 13.11, сколько времени найти новую работу",
        JOB,
        {"deadline": D(2026, 11, 28), "passed": True, "days_ago": 1},
    ),
    ("приехал 01.10.2026, уволили 20.11.2026, что делать", JOB, {"days_in_country": 50, "rule_applies": False}),
    ("договор закончился 10 июля 2026", JOB, {"arrival": None, "end": D(2026, 7, 10), "deadline": D(2026, 7, 25)}),
    ("uvolili 20 noyabrya skolko dney iskat rabotu", JOB, {"end": D(2026, 11, 20), "deadline": D(2026, 12, 5)}),
    (
        "уволили 10.07, а работал я с 01.03, сколько дней на новую работу",
        JOB,
        {"arrival": D(2026, 3, 1), "end": D(2026, 7, 10), "days_in_country": 131},
    ),
    ("гражданин Кыргызстана, уволили 20.11, приехал 01.08", JOB, {"arrival": D(2026, 8, 1), "end": D(2026, 11, 20)}),
    ("priehal 01.06 uvolili 25.11 chto delat", JOB, {"arrival": D(2026, 6, 1), "end": D(2026, 11, 25)}),
    # -- new contract, Kyrgyz --------------------------------------------------------------
    (
        "10.12де келдим, 20.03тө иштен бошотушту",
        JOB,
        {"arrival": D(2025, 12, 10), "end": D(2026, 3, 20), "deadline": D(2026, 4, 4), "passed": True},
    ),
    (
        "01.06да келгем, 25.11де келишим бүттү, эми эмне кылам",
        JOB,
        {"arrival": D(2026, 6, 1), "end": D(2026, 11, 25), "days_left": 11},
    ),
    ("25.11де иштен чыгарышты, 01.06да келгем", JOB, {"arrival": D(2026, 6, 1), "end": D(2026, 11, 25)}),
    (
        "келишим 5-ноябрда бүттү, жаңы жумушту канча күндө табышым керек",
        JOB,
        {"end": D(2026, 11, 5), "deadline": D(2026, 11, 20), "passed": True, "days_ago": 9},
    ),
    (
        "2025-жылдын 1-мартында келдим, 2025-жылдын 10-июлунда иштен бошотушту",
        JOB,
        {"arrival": D(2025, 3, 1), "end": D(2025, 7, 10), "rule_applies": True},
    ),
    (
        "boshotushtu 20.11de, 01.08de keldim",
        JOB,
        {"arrival": D(2026, 8, 1), "end": D(2026, 11, 20), "days_in_country": 111},
    ),
    (
        "31.03.2026да келдим, 10.07де иштен бошотушту",
        JOB,
        {"arrival": D(2026, 3, 31), "end": D(2026, 7, 10), "days_in_country": 101, "passed": True},
    ),
    ("10.07де келишим бүттү, эми эмне кылам", JOB, {"end": D(2026, 7, 10), "deadline": D(2026, 7, 25)}),
    # -- new contract, English -------------------------------------------------------------
    (
        "I was fired on 20 November, I arrived 1 August",
        JOB,
        {"arrival": D(2026, 8, 1), "end": D(2026, 11, 20), "deadline": D(2026, 12, 5), "days_left": 6},
    ),
    ("arrived 10 Dec, contract ended 20 Mar", JOB, {"arrival": D(2025, 12, 10), "end": D(2026, 3, 20)}),
    (
        "my contract ended on 31 January, how long do I have to find a new job?",
        JOB,
        {"end": D(2026, 1, 31), "passed": True},
    ),
    (
        "contract terminated 14.11.2026, how many days to find a new employer",
        JOB,
        {"end": D(2026, 11, 14), "deadline": D(2026, 11, 29), "days_left": 0},
    ),
    ("arrived 29 Feb, fired 31 May", JOB, {"arrival": D(2024, 2, 29), "end": D(2026, 5, 31)}),
]


@pytest.fixture
def computed(monkeypatch) -> list[tuple[str, dict | None]]:
    """Every calculation the conversation makes, in order, as (calculator, result)."""
    seen: list[tuple[str, dict | None]] = []
    for name, calculator in list(CALCULATORS.items()):

        def spy(scan, today, _calculator=calculator, _name=name):
            result = _calculator(scan, today)
            seen.append((_name, result))
            return result

        monkeypatch.setitem(CALCULATORS, name, spy)
    return seen


@pytest.mark.parametrize(("message", "topic", "expected"), ROWS, ids=[row[0][:40] for row in ROWS])
def test_a_migrant_in_russia_gets_the_right_last_day(say, computed, message, topic, expected):
    outcome = say(message, force_country="RU")
    assert outcome.topic == topic
    assert computed, "no deadline was computed"
    _, calc = computed[-1]
    assert calc is not None
    assert {key: calc[key] for key in expected} == expected


def test_the_table_covers_three_languages_and_both_calculators():
    assert len(ROWS) >= 40
    assert {row[1] for row in ROWS} == {REG, JOB}


@pytest.mark.parametrize(
    ("message", "says"),
    [
        ("приехал 30.10 когда регистрация", ["уже прошёл", "1 день назад", "1899", "консульств", "migrant.kg"]),
        ("30.10до келдим, каттоо качан", ["өтүп кетти", "1 күн мурун", "1899", "консулдук", "migrant.kg"]),
        ("arrived 30 Oct, registration deadline?", ["has passed", "1 day ago", "1899", "consulates", "migrant.kg"]),
        ("приехал 31.10, до какого числа регистрация", ["Сегодня последний день"]),
        ("уволили 13.11, сколько дней найти работу", ["уже прошёл", "1 день назад", "1899"]),
        ("уволили 20.11 сколько времени найти работу", ["Осталось 6 дней"]),
    ],
)
def test_a_deadline_that_has_passed_is_said_plainly_with_what_to_do_now(say, message, says):
    text = all_text(say(message, force_country="RU"))
    for phrase in says:
        assert phrase in text


def test_an_impossible_date_in_kyrgyz_gets_an_example_of_what_to_type(say):
    outcome = say("31.02де келдим, каттоо качан", force_country="RU")
    assert outcome.topic == REG
    assert "03.11" in all_text(outcome) and "Күндү окуй албадым" in all_text(outcome)


def test_a_deadline_is_not_built_on_half_of_the_dates_when_one_cannot_be_read(say, computed):
    outcome = say("приехал 31.02, уволили 10.07, сколько дней на новый договор", force_country="RU")
    assert outcome.topic == JOB
    assert computed[-1][1] is None
    assert "Не смог прочитать дату" in all_text(outcome)


@pytest.mark.parametrize("lang", ["ru", "ky", "en"])
@pytest.mark.parametrize(("topic", "calculator"), [(REG, "registration_deadline"), (JOB, "job_change_deadline")])
def test_the_example_the_bot_itself_suggests_is_read_in_full(content, lang, topic, calculator):
    body = content.render(topic, lang, "RU", None).body
    examples = re.findall(r"«([^»]*\d[^»]*)»|\"([^\"]*\d[^\"]*)\"", body)
    assert examples, body
    for example in ("".join(parts) for parts in examples):
        calc = CALCULATORS[calculator](scan_dates(example), TODAY)
        assert calc is not None, example
        assert calc.get("end", calc.get("arrival")) is not None
        if topic == JOB:
            assert (calc["arrival"], calc["end"]) == (D(2026, 3, 1), D(2026, 7, 10)), example
