"""Every answer is faithful to the report: its figures, names, numbers and links.

The report's French text is read from the project's own copy (content/report/fr.txt). Dated
updates rest on their own sources, checked by `helpline validate`, so figures, numbers and
links are checked in the report-based part of each answer (`report_body`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from content.library import MAX_MESSAGE
from tests.report import REPORT, join_digit_groups, paragraphs, with_spelled_figures

EAEU = {"ru": "ЕАЭС", "ky": "ЕАЭБ", "en": "EAEU"}
# topic → (host country to render for, facts that every language must state). A fact is a
# string, or a per-language mapping where the words differ.
FACTS: dict[str, tuple[str | None, list]] = {
    "work_permit": ("RU", [EAEU]),
    "registration": ("RU", ["30", EAEU]),
    "stay_and_job_change": ("RU", ["90", "15"]),
    "diploma_recognition": ("RU", [EAEU]),
    "pension": (None, ["2021", "2020"]),
    "double_taxation": (None, ["31"]),
    "remittances": (None, ["4,4|4.4"]),
    "trafficking": (
        None,
        [{"ru": "Сезим", "ky": "Сезим", "en": "Sezim"}, {"ru": "Ак-Журок", "ky": "Ак-Жүрөк", "en": "Ak-Jurok"}, "1899"],
    ),
    "death_repatriation": (None, ["169", "2021"]),
    "deportation_kg": ("KG", ["10", "30"]),
    "hotline": (None, ["1899", "migrant.kg"]),
    "entry_ban": (None, ["migrant.kg", "50"]),
    "foreign_worker_kg": (None, ["ework.e-gov.kg"]),
    "find_job_abroad": (None, ["136", "20"]),
    "voting_abroad": (None, ["Tizme|Тизме", "shailoo.gov.kg"]),
    "emergency": ("RU", ["1899", "112"]),
    "unpaid_wages": ("RU", ["1899"]),
    "consular_registration": (None, []),
}
_URL = re.compile(r"(?:https?://)?(?:www\.)?(?:[a-z0-9-]+\.)+(?:kg|ru|com|org|net|int|kz|gov)\b(?:/[^\s)»\"]*)?", re.I)
_EXAMPLE_DATE = re.compile(r"(?<!\d)\d{1,2}\.\d{1,2}(?:\.\d{2,4})?(?!\d)")  # "write it like 03.11": not a fact
_PHONE = re.compile(r"(?<![\d.,])\+?\d[\d\s\-()]{1,}\d(?![\d.,%])")
_EXTERNAL = yaml.safe_load((Path(__file__).resolve().parent.parent / "content" / "external.yaml").read_text("utf-8"))


def every_rendering(content):
    """Each topic × language × host country (one per answer variant, and unknown)."""
    countries = [None, *content.country_order]
    for topic in content.topics.values():
        for lang in topic.texts:
            for country in countries:
                yield topic.id, lang, country, content.render(topic.id, lang, country)


def _states(text: str, fact, lang: str) -> bool:
    wanted = fact[lang] if isinstance(fact, dict) else fact
    return any(alternative in text for alternative in wanted.split("|"))


@pytest.mark.parametrize("topic", sorted(FACTS))
def test_each_key_fact_appears_in_every_language_of_its_topic(content, topic):
    country, facts = FACTS[topic]
    for lang in content.languages:
        body = content.render(topic, lang, country).body
        missing = [fact for fact in facts if not _states(body, fact, lang)]
        assert not missing, f"{topic}/{lang} does not state {missing}"


def test_every_topic_renders_in_every_language_and_country_within_telegrams_limit(content):
    for topic, lang, country, rendered in every_rendering(content):
        assert rendered.body.strip(), (topic, lang, country)
        assert len(rendered.title) + len(rendered.body) + 300 < MAX_MESSAGE, (topic, lang, country)


def test_answers_are_a_phone_screen_long(content):
    long = sorted({(topic, lang) for topic, lang, _, r in every_rendering(content) if len(r.body) > 1400})
    assert not long


def test_every_link_in_an_answer_is_in_the_report_or_marked_external(content):
    report = REPORT.read_text(encoding="utf-8").lower().replace("\u2011", "-")
    external = {str(fact["value"]).lower() for fact in _EXTERNAL["facts"]}
    unknown = set()
    for topic, lang, _, rendered in every_rendering(content):
        for link in _URL.findall(rendered.report_body.lower()):
            bare = link.removeprefix("https://").removeprefix("http://").removeprefix("www.").rstrip("/.")
            if bare not in report and bare not in external:
                unknown.add((topic, lang, link))
    assert not unknown


def test_every_phone_number_or_long_figure_is_in_the_report_or_marked_external(content):
    report = join_digit_groups(REPORT.read_text(encoding="utf-8"))
    report_digits = re.sub(r"[^\d]+", " ", report)
    external = {str(fact["value"]) for fact in _EXTERNAL["facts"]}
    known = set(report_digits.split()) | external
    unknown = set()
    for topic, lang, _, rendered in every_rendering(content):
        for number in _PHONE.findall(join_digit_groups(rendered.report_body)):
            parts = [part for part in re.split(r"[\s\-()+]+", number) if part]
            if "".join(parts) in known or all(part in known or len(part) < 3 for part in parts):
                continue
            unknown.add((topic, lang, number))
    assert not unknown


def test_every_figure_in_an_answer_comes_from_a_paragraph_it_cites(content):
    texts = paragraphs()
    external = {str(fact["value"]) for fact in _EXTERNAL["facts"]}
    unsupported = set()
    for topic, lang, _, rendered in every_rendering(content):
        cited = " ".join(with_spelled_figures(join_digit_groups(texts[n])) for n in rendered.sources)
        cited_numbers = set(re.findall(r"\d+", cited))
        body = _EXAMPLE_DATE.sub("", join_digit_groups(rendered.report_body).replace("24/7", ""))
        for figure in set(re.findall(r"(?<![\d§])\d{2,}(?!\d)", body)):
            # The year the information dates from (as_of) is the report's own date, named by caveats.
            if figure not in external and figure not in cited_numbers and figure != rendered.as_of:
                unsupported.add((topic, lang, figure))
    assert not unsupported, "figures in none of the cited paragraphs: " + str(sorted(unsupported))


def test_every_cited_paragraph_exists_and_shares_a_fact_with_its_answer(content):
    texts = paragraphs()
    for topic in content.topics.values():
        for lang, text in topic.texts.items():
            for number in text.sources:
                assert number in texts, f"{topic.id}/{lang} cites §{number}, which the report does not have"


def test_every_answer_offers_two_or_three_related_topics_and_learns_from_twenty_examples(content):
    for topic in content.topics.values():
        if topic.menu == "conversation":
            continue
        assert 2 <= len(topic.related) <= 3, topic.id
        assert topic.as_of and topic.review_by.year >= 2026, topic.id
        for lang, text in topic.texts.items():
            assert len(text.examples) >= 20, (topic.id, lang, len(text.examples))
