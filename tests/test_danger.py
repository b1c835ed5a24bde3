"""A migrant in danger gets emergency contacts first, whatever they asked and however they spelt it.

Two sets of messages. The danger set lives in content/danger.yaml: under each kind of danger
(suicide, trafficking and confinement, violence and sexual violence, detention, a fresh death,
a medical emergency, injury or fire, a missing relative) how people in it write (`examples`)
and ordinary questions that merely sound alarming (`look_alikes`), in Russian, Kyrgyz and
English, in Cyrillic, Latin letters and misspelt; the learned detector trains on it. The
held-out set (tests/safety/heldout.yaml) is wording nobody tuned for: families of phrasing
that neither the patterns nor the model ever see, the honest measure of what is missed.
"""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

from content.danger import load_danger
from handlers.actions import FollowPointer, OpenTopic
from handlers.understanding import danger as danger_module
from handlers.understanding.danger import DangerDetector
from handlers.understanding.skeleton import skeleton
from testing import danger_heldout as heldout
from testing.evaluation import everyday_questions, load_evaluation
from tests.conftest import REPO, actions, all_text, button_data

MIN_DANGER = 300
MAX_FALSE_ALARMS = 0.05  # share of ordinary questions that may get the emergency block
KINDS = ["suicide", "trafficking", "violence", "detention", "death", "medical", "missing"]  # by priority
EMERGENCY_LINE = "🚨"  # the first line of the emergency block, in every language
# Everyday questions of the evaluation set (a greeting, a school, a transfer home) given the card: 6.8 % when
# every third everyday example taught the model, 3.9 % with all of them, more chit-chat and place names. A
# change above the ceiling is a regression; the benchmark checks the project's target (2 %).
EVERYDAY_CEILING = 0.05


def _listing(messages) -> str:
    return "\n".join(f"  {text!r}  [skeleton: {skeleton(text)}]" for text in messages)


def test_the_danger_kinds_are_checked_in_order_of_priority(knowledge):
    kinds = knowledge.danger.kinds
    assert [kind.name for kind in kinds] == KINDS
    assert {kind.name: kind.topic for kind in kinds}["trafficking"] == "trafficking"
    assert all(kind.topic == "emergency" for kind in kinds if kind.name != "trafficking")


def test_the_danger_set_is_large_enough_and_covers_every_kind_and_script(knowledge):
    examples = [text for kind in knowledge.danger.kinds for text in kind.examples]
    assert len(examples) >= MIN_DANGER
    assert all(len(kind.examples) >= 20 for kind in knowledge.danger.kinds)
    latin = [text for text in examples if text.isascii()]
    assert 60 <= len(latin) <= len(examples) - 150  # typed in Latin letters, and in Cyrillic
    assert len([t for kind in knowledge.danger.kinds for t in kind.look_alikes]) >= MIN_DANGER


@pytest.mark.parametrize("kind", KINDS)
def test_every_person_in_the_danger_set_is_noticed_with_the_right_answer_first(knowledge, kind):
    examples = next(k for k in knowledge.danger.kinds if k.name == kind).examples
    missed = [text for text in examples if knowledge.danger.detect(text) is None]
    assert not missed, f"{kind}: {len(missed)} of {len(examples)} not recognised:\n{_listing(missed)}"
    wrong = [
        text
        for text in examples
        if knowledge.danger.detect(text).topic != ("trafficking" if kind == "trafficking" else "emergency")
    ]
    assert len(wrong) <= 0.05 * len(examples), f"{kind}: the wrong answer first for\n{_listing(wrong)}"


def test_ordinary_questions_with_alarming_words_rarely_raise_the_alarm(knowledge):
    ordinary = [text for kind in knowledge.danger.kinds for text in kind.look_alikes]
    flagged = [(text, knowledge.danger.detect(text)) for text in ordinary]
    flagged = [(text, danger.kind) for text, danger in flagged if danger is not None]
    listing = "\n".join(f"  {kind}: {text!r}" for text, kind in flagged)
    assert len(flagged) <= MAX_FALSE_ALARMS * len(ordinary), f"{len(flagged)} of {len(ordinary)}:\n{listing}"


def test_the_held_out_set_is_never_taught(knowledge):
    """No held-out message, and no wording of a held-out family, is among the danger examples."""
    examples = [text for kind in knowledge.danger.kinds for text in kind.examples]
    taught = {skeleton(text) for kind in knowledge.danger.kinds for text in (*kind.examples, *kind.look_alikes)}
    for family in heldout.families("danger") + heldout.families("ordinary"):
        assert all(family.speaks_in(text) for text in family.messages), family.name
        assert not taught & {skeleton(text) for text in family.messages}, family.name
    folded = [(text, heldout.padded_skeleton(text)) for text in examples]
    for family in heldout.families("danger"):
        siblings = [text for text, padded in folded if family.says(padded)]
        assert not siblings, f"{family.name}: its wording is taught by\n{_listing(siblings)}"
    assert sum(len(f.messages) for f in heldout.families("danger")) >= 200


@pytest.fixture(scope="module")
def held_out_score(knowledge) -> heldout.Score:
    """The held-out set scored once (a few seconds) for the tests that read the score."""
    return heldout.score(knowledge.danger)


def test_a_failing_held_out_check_counts_the_messages_without_showing_them(held_out_score, monkeypatch):
    """Whoever reads a held-out message can no longer teach the detector blind: failures show counts."""
    monkeypatch.delenv(heldout.SHOW, raising=False)
    score = held_out_score
    shown = f"{score!r}\n{heldout.listing(score.alarmed)}\n{heldout.listing(score.missed)}"
    assert f"{len(score.alarmed)} messages, not printed" in shown
    assert not [text for text in score.alarmed + score.missed if text in shown]
    monkeypatch.setenv(heldout.SHOW, "1")
    assert all(text in heldout.listing(score.alarmed) for text in score.alarmed)


def test_a_migrant_who_greets_thanks_or_asks_an_everyday_question_rarely_gets_the_emergency_card(knowledge):
    danger_topics = {kind.topic for kind in knowledge.danger.kinds}
    everyday = everyday_questions(load_evaluation(), danger_topics)
    alarmed = [question.text for question in everyday if knowledge.danger.detect(question.text) is not None]
    assert len(alarmed) <= EVERYDAY_CEILING * len(everyday), f"{len(alarmed)} of {len(everyday)}:\n{_listing(alarmed)}"


@pytest.mark.parametrize("text", ["в Польше", "v polshe", "in Dubai", "Стамбул", "Германия", "Кореяда", "в Турции"])
def test_a_migrant_who_names_where_they_are_gets_no_emergency_card(knowledge, text):
    # «в Польше» once read as suicide: a letter away from «больше», as in «больше не могу».
    assert knowledge.danger.detect(text) is None


def test_the_held_out_set_meets_the_issue_targets(held_out_score):
    """Issue 11: 98 % of held-out danger gets the card, at most 5 % of ordinary messages with alarming words do.

    Met by the tenth pass: 1,201 of 1,224 (98.1 %), 38 of 1,005 (3.8 %) over twenty-one rounds. Two danger
    messages fewer, and a change to the danger set or the detector fails here.
    """
    score = held_out_score
    assert score.recall >= heldout.RECALL_TARGET, f"missed:\n{heldout.listing(score.missed)}"
    assert score.false_alarm_rate <= heldout.FALSE_ALARM_TARGET, f"alarmed:\n{heldout.listing(score.alarmed)}"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("сил больше нет, думаю покончить со всем этим", "suicide"),
        ("брат не выходит на связь уже 5 дней, последний раз писал что их увезли на какой-то объект", None),
        ("иним жоголуп кетти, бир жумадан бери телефону өчүк", None),
    ],
)
def test_the_three_messages_the_hardening_pass_missed_get_the_emergency_block_first(
    knowledge,
    conversation,
    say,
    text,
    kind,
):
    outcome = say(text, force_country="RU")
    assert EMERGENCY_LINE in outcome.replies[0].plain
    assert outcome.topic == "emergency"
    assert "h" in button_data(outcome)  # a caseworker is one tap away
    row = list(conversation.querylog.db["queries"].rows)[-1]
    assert row["danger"] in ({kind} if kind else {k.name for k in knowledge.danger.kinds})


def test_neither_a_first_start_nor_a_restart_imports_scikit_learn(content, tmp_path):
    script = (
        "import sys; from pathlib import Path; from content import load_content; "
        "from handlers.knowledge import build_knowledge; "
        "k = build_knowledge(load_content(), cache_dir=Path(sys.argv[1])); "
        "d = k.danger.detect('сил больше нет, думаю покончить со всем этим'); "
        "print(d.kind if d else None, 'sklearn' in sys.modules, len(list(Path(sys.argv[1]).glob('models-*'))))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, cwd=REPO, timeout=120
        )
        for _ in range(2)
    ]
    assert all(run.returncode == 0 for run in runs), runs[-1].stderr
    assert runs[0].stdout.split() == ["suicide", "False", "1"]  # the first start trains, and caches the models
    assert runs[1].stdout.split() == ["suicide", "False", "1"]  # the restart reads them back


def test_a_migrant_whose_boss_took_the_passport_gets_the_trafficking_answer_first(conversation, say):
    outcome = say("начальник забрал паспорт и не выпускает")
    first = outcome.replies[0].plain
    assert outcome.topic == "trafficking"
    assert first.index(EMERGENCY_LINE) < first.index("«Сезим»")
    assert "«Сезим»" in first and "«Ак-Журок»" in first
    assert "h" in button_data(outcome)  # a caseworker is one tap away
    assert "сотрудник" in outcome.replies[-1].plain
    row = list(conversation.querylog.db["queries"].rows)[-1]
    assert row["danger"] == "trafficking"


def test_danger_comes_first_even_when_the_question_is_about_something_else(say):
    outcome = say("бригадир забрал паспорт, а патент заканчивается, как продлить патент?", force_country="RU")
    titles = [reply.title for reply in outcome.replies]
    assert titles[0] == "Торговля людьми и принудительный труд"
    assert "Разрешение на работу (патент)" in titles[1:]  # what was asked is still answered, after
    assert "h" in button_data(outcome)


def test_a_beaten_migrant_writing_kyrgyz_in_latin_letters_gets_the_host_countrys_emergency_number(
    conversation,
    say,
):
    outcome = say("meni sabap jatat", force_country="KR")
    first = outcome.replies[0].plain
    assert outcome.topic == "emergency"
    assert first.index(EMERGENCY_LINE) < first.index("112 / 119")
    assert "1899" in first
    assert "h" in button_data(outcome)
    row = list(conversation.querylog.db["queries"].rows)[-1]
    assert row["danger"] == "violence"
    assert row["country"] == "KR"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Не хочу больше жить", "suicide"),
        ("брата задержала полиция, держат в отделе", "detention"),
        ("досум курулушта каза болду бугун", "death"),
        ("my friend is unconscious and not breathing", "medical"),
    ],
)
def test_the_log_records_the_kind_of_danger(conversation, say, text, kind):
    outcome = say(text, force_country="RU")
    assert EMERGENCY_LINE in outcome.replies[0].plain
    row = list(conversation.querylog.db["queries"].rows)[-1]
    assert row["danger"] == kind


@pytest.mark.parametrize(
    "text",
    [
        "задержали зарплату на два месяца",
        "умер телефон, как восстановить доступ к госуслугам",
        "how to get a death certificate for my father who died last year",
        "паспортумду жоготуп алдым, эмне кылам",
    ],
)
def test_an_ordinary_question_gets_no_emergency_block(conversation, say, text):
    outcome = say(text, force_country="RU")
    assert EMERGENCY_LINE not in all_text(outcome)
    assert outcome.topic not in ("emergency", "trafficking")
    row = list(conversation.querylog.db["queries"].rows)[-1]
    assert row["danger"] is None


def test_a_message_that_reads_close_to_danger_gets_its_answer_and_one_tap_to_emergency_contacts(conversation, say):
    outcome = say("сорвался с высоты на стройке, спина болит, положена компенсация", force_country="RU")
    assert outcome.topic == "social_insurance"  # not taken for danger: answered as asked
    assert list(conversation.querylog.db["queries"].rows)[-1]["danger"] is None
    assert "emergency" in {action.topic for action in actions(outcome) if isinstance(action, FollowPointer)}
    assert outcome.replies[-1].plain.startswith("Если вам или кому-то рядом сейчас угрожает опасность")


@pytest.mark.parametrize("text", ["how do I send money home", "когда нужна регистрация", "kak poluchit patent"])
def test_an_everyday_question_gets_no_pointer_to_emergency_contacts(say, text):
    outcome = say(text, force_country="RU")
    opened = {action.topic for action in actions(outcome) if isinstance(action, OpenTopic | FollowPointer)}
    assert not opened & {"emergency", "trafficking"}


@pytest.mark.parametrize("text", ["нет", "да да", "не знаю", "ооба туура", "yes please", "угу", "хм"])
def test_a_bare_reply_in_a_conversation_is_never_taken_for_danger(conversation, say, text):
    outcome = say(text, force_country="RU")
    assert EMERGENCY_LINE not in all_text(outcome)
    pointers = {str(ui["danger_pointer"]) for ui in conversation.knowledge.content.ui.values()}
    assert not pointers & {reply.plain for reply in outcome.replies}
    assert list(conversation.querylog.db["queries"].rows)[-1]["danger"] is None


def test_a_caseworker_who_spells_a_word_with_double_letters_in_a_pattern_still_has_it_match(tmp_path):
    # The skeleton writes «рассказывал» as raskazival and "kill" as kil; a pattern typed as the word is
    # spelt («rasskaziva», "kill") once never matched anything.
    path = tmp_path / "danger.yaml"
    path.write_text(
        "violence:\n  patterns:\n    - ' kill\\w* (him|her|me)'\n  unless:\n    - ' rasskaziva\\w*'\n", encoding="utf-8"
    )
    problems: list = []
    detector = DangerDetector(load_danger(path, {"emergency"}, problems))
    assert not problems
    assert detector.match("they will kill me tonight") is not None
    assert detector.match("дед рассказывал, как в войну грозились kill him") is None


@pytest.mark.parametrize(
    "text",
    ["айтчы, кожоюн паспортту бербей жатат, кетирбейт", "кожоюн паспортту бербей жатат, эмне кылам айтчы"],
)
def test_a_migrant_who_asks_tell_me_in_kyrgyz_is_still_recognised_by_the_patterns(knowledge, text):
    # «айтчы» (tell me) once fell under the exception meant for «айтчу» (an old relative used to tell),
    # which switched the whole kind off for a plea that ends with a question.
    assert knowledge.danger.match(text).kind == "trafficking"


@pytest.mark.parametrize(
    "text",
    [
        "у меня был патент, он закончился, что делать",
        "у меня были проблемы с регистрацией в прошлом году",
        "у меня тоже был такой случай с работодателем",
        "была у меня регистрация до мая",
        "у нас был штраф, как оплатить",
    ],
)
def test_a_migrant_who_says_what_they_had_is_not_taken_for_someone_beaten(knowledge, text):
    # The skeleton spells «был» (was) and «бил» (beat) alike: «у меня был патент» once got the emergency block.
    assert knowledge.danger.match(text) is None


@pytest.mark.parametrize("text", ["меня бил бригадир", "били меня вчера ночью", "нас бьют охранники"])
def test_a_migrant_who_is_beaten_still_gets_the_emergency_block_from_the_patterns(knowledge, text):
    assert knowledge.danger.match(text).kind == "violence"


def test_an_old_relatives_story_of_a_passport_held_long_ago_is_not_taken_for_trafficking(knowledge):
    assert knowledge.danger.match("чоң атам айтчу, паспортту бербей коюшчу") is None


def test_a_re_chosen_threshold_applies_to_a_model_read_back_from_the_cache(knowledge, monkeypatch):
    # The model cache is a pickle; a threshold stored inside the model would outlive a new THRESHOLD
    # whenever the content had not changed, and the bot would keep the old one after a restart.
    cached = pickle.loads(pickle.dumps(knowledge.danger.model))
    message = "сил больше нет, думаю покончить со всем этим"
    assert cached.predict(message) is not None
    monkeypatch.setattr(danger_module, "THRESHOLD", float("inf"))
    assert cached.predict(message) is None
