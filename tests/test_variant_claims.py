"""Every claim is true for the person who reads it: the variant's own paragraphs, the report's
qualifiers kept, 1899 reached from abroad as the report says, and a dated caveat where the
2022 facts are most likely to have changed.
"""

from __future__ import annotations

import re

import pytest

from tests.report import REPORT, paragraphs

# Paragraphs whose facts hold for one audience only. Everything not listed speaks of Kyrgyz
# citizens abroad in general (missions, 1899, migrant.kg, the Centre for Employment Abroad).
IN_KYRGYZSTAN = frozenset(
    {
        47,
        48,
        49,
        65,
        66,
        74,
        98,
        105,
        106,
        107,
        108,
        109,
        110,
        111,
        112,
        113,
        114,
        115,
        116,
        118,
        119,
        120,
        121,
        122,
        133,
        144,
        148,
        157,
        159,
        160,
        162,
        163,
        164,
        174,
        175,
        177,
        178,
        193,
        194,
        227,
        229,
        249,
        250,
        251,
        252,
        253,
        256,
        278,
        331,
        361,
    }
)
EAEU_ONLY = frozenset({15, 16, 17, 18, 19, 20, 21, 22, 23, 135, 146, 147, 237, 284})
KOREA_ONLY = frozenset({238})
TURKEY_ONLY = frozenset({236})
# What each variant must not cite. A foreigner in Kyrgyzstan may read EAEU rules (Kyrgyzstan is
# a member) and Turkish ones (the treaty works both ways), and is told about citizens abroad.
NOT_FOR = {
    "eaeu": IN_KYRGYZSTAN | KOREA_ONLY | TURKEY_ONLY,
    "korea": IN_KYRGYZSTAN | EAEU_ONLY | TURKEY_ONLY,
    "turkey": IN_KYRGYZSTAN | EAEU_ONLY | KOREA_ONLY,
    "other": IN_KYRGYZSTAN | EAEU_ONLY | KOREA_ONLY | TURKEY_ONLY,
    "kyrgyzstan": KOREA_ONLY,
}
ONE_COUNTRY_PER_GROUP = {"eaeu": "RU", "korea": "KR", "turkey": "TR", "other": "XX", "kyrgyzstan": "KG"}

# A caveat: one line that dates the fact to 2022 and says it may have changed.
CAVEAT = {
    "ru": re.compile(r"2022.*мог|мог.*2022"),
    "ky": re.compile(r"2022.*мүмкүн|мүмкүн.*2022"),
    "en": re.compile(r"2022.*may|may.*2022"),
}
KYRGYZ = {"ru": "Кыргызстан", "ky": "Кыргызстан", "en": "Kyrgyz"}
# "Call 1899" said to someone whose phone is abroad: the report gives no such route (§50–51).
DIAL_1899 = {
    "ru": re.compile(r"звоните (на )?(горячую линию )?1899|по номеру 1899", re.I),
    "ky": re.compile(r"1899\S* (номерине |ишеним телефонуна )?чалыңыз", re.I),
    "en": re.compile(r"\bcall (the )?1899|\bdial 1899", re.I),
}


def _lines_with(body: str, pattern: str) -> list[str]:
    return [line for line in body.splitlines() if re.search(pattern, line)]


def _variant_renderings(content):
    """Each topic × language × variant it has, rendered for one country of that group."""
    for topic in content.topics.values():
        for lang, text in topic.texts.items():
            for group in text.variants:
                yield topic.id, lang, group, content.render(topic.id, lang, ONE_COUNTRY_PER_GROUP[group])


def test_every_variant_names_its_own_paragraphs(content):
    silent = [
        (topic.id, lang, group)
        for topic in content.topics.values()
        for lang, text in topic.texts.items()
        for group in text.variants
        if group not in text.variant_sources
    ]
    assert not silent, "variants citing the general answer's paragraphs: " + str(silent)


def test_no_variant_cites_paragraphs_about_another_audience(content):
    wrong = set()
    for topic, lang, group, rendered in _variant_renderings(content):
        foreign = set(rendered.sources) & NOT_FOR[group]
        if foreign:
            wrong.add((topic, lang, group, tuple(sorted(foreign))))
    assert not wrong, sorted(wrong)


def test_a_worker_in_korea_sees_no_paragraph_about_foreigners_in_kyrgyzstan(content):
    for topic in ("deportation_kg", "legal_aid", "unpaid_wages", "detention"):
        for lang in content.languages:
            rendered = content.render(topic, lang, "KR")
            assert not set(rendered.sources) & IN_KYRGYZSTAN, (topic, lang, rendered.sources)


def test_all_languages_of_a_topic_cite_the_same_paragraphs_per_variant(content):
    for topic in content.topics.values():
        for country in (None, *ONE_COUNTRY_PER_GROUP.values()):
            cited = {lang: content.render(topic.id, lang, country).sources for lang in topic.texts}
            assert len(set(cited.values())) == 1, (topic.id, country, cited)


@pytest.mark.skipif(not REPORT.exists(), reason=f"the report is not at {REPORT}")
def test_every_variant_paragraph_is_in_the_report(content):
    texts = paragraphs()
    for topic in content.topics.values():
        for lang, text in topic.texts.items():
            for group, numbers in text.variant_sources.items():
                missing = [n for n in numbers if n not in texts]
                assert not missing, (topic.id, lang, group, missing)


@pytest.mark.parametrize("country", [None, "RU", "KR", "XX"])
def test_remittances_say_the_three_ways_and_22_banks_are_kyrgyz(content, country):
    for lang in content.languages:
        rendered = content.render("remittances", lang, country)
        for line in _lines_with(rendered.body, r"\b22\b|three ways|три способа|үч жол"):
            assert KYRGYZ[lang] in line, (lang, line)
        assert {174, 175, 248} <= set(rendered.sources)


def test_a_foreigner_in_kyrgyzstan_reads_that_the_transfer_rules_are_kyrgyz_law(content):
    for lang in content.languages:
        body = content.render("remittances", lang, "KG").body
        assert all(KYRGYZ[lang] in line for line in _lines_with(body, r"\b22\b")), lang


def test_children_in_the_eaeu_may_go_to_school_without_a_30_day_limit(content):
    school = {"ru": "школ", "ky": "мектеп", "en": "school"}
    for lang in content.languages:
        rendered = content.render("registration", lang, "RU")
        sentences = re.split(r"(?<=[.!?])\s+", rendered.body)
        right = [s for s in sentences if school[lang] in s]
        assert right and all("30" not in s for s in right), (lang, right)
        assert {23, 135} <= set(rendered.sources)


@pytest.mark.parametrize("country", [None, "KG"])
def test_the_expulsion_centre_is_given_with_the_report_saying_none_existed_in_2022(content, country):
    for lang in content.languages:
        rendered = content.render("deportation_kg", lang, country)
        centre = _lines_with(rendered.body, r"\b30\b")
        assert centre and all("2022" in line for line in centre), (lang, centre)
        assert {113, 119} <= set(rendered.sources)


def test_anyone_abroad_told_about_1899_is_told_to_reach_it_through_migrant_kg(content):
    countries = [None, *(code for code in content.country_order if content.countries[code].group != "kyrgyzstan")]
    wrong = set()
    for topic in content.topics.values():
        for lang in topic.texts:
            for country in countries:
                body = content.render(topic.id, lang, country).body
                if "1899" in body and ("migrant.kg" not in body or DIAL_1899[lang].search(body)):
                    wrong.add((topic.id, lang, country or "unknown"))
    assert not wrong, sorted(wrong)


def test_the_bots_own_words_never_ask_someone_abroad_to_dial_1899(content):
    def strings(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                if k != "buttons":
                    yield from strings(v, k)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item, key)
        elif isinstance(value, str):
            yield key, value

    for lang, ui in content.ui.items():
        for key, text in strings(ui):
            if "1899" in text:
                assert "migrant.kg" in text and not DIAL_1899[lang].search(text), (lang, key, text)


def test_foreigners_in_kyrgyzstan_never_get_the_hotline_block_in_an_answer_written_for_them(content):
    hotline_first_line = {
        lang: (content.directory / "blocks" / lang / "hotline.j2").read_text(encoding="utf-8").splitlines()[0]
        for lang in content.languages
    }
    for topic in content.topics.values():
        for lang in topic.texts:
            answers = [content.render(topic.id, lang, "KG").body] if "kyrgyzstan" in topic.texts[lang].variants else []
            if topic.audience == "foreigners":
                answers.append(content.render(topic.id, lang, None).body)
            assert all(hotline_first_line[lang] not in body for body in answers), (topic.id, lang)


@pytest.mark.parametrize("topic", ["voting_abroad", "refugee_asylum", "foreign_worker_kg"])
def test_each_topic_the_issue_named_has_a_declared_reader_and_its_block(content, topic):
    audience = content.topics[topic].audience
    wanted = "hotline" if audience == "migrants" else "caseworker"
    for text in content.topics[topic].texts.values():
        assert wanted in text.blocks_by_variant[""], (topic, text.lang)


# (topic, country to render for, what the caveat is about: a word that must stand in the answer)
STALE_POINTS = [
    ("work_permit", "RU", {"ru": "дактилоскоп", "ky": "манжа изин", "en": "fingerprinting"}),
    ("work_permit", None, {"ru": "ЕАЭС", "ky": "ЕАЭБ", "en": "EAEU"}),
    ("entry_ban", None, {"ru": "амнисти", "ky": "мунапыс", "en": "amnest"}),
    ("deportation_kg", None, {"ru": "чёрному списку", "ky": "Кара тизме", "en": "black list"}),
    ("deportation_kg", "RU", {"ru": "чёрному списку", "ky": "кара тизме", "en": "black list"}),
    ("pension", "XX", {"ru": "Азербайджан", "ky": "Азербайжан", "en": "Azerbaijan"}),
    ("consular_services", "RU", {"ru": "Казани", "ky": "Казан", "en": "Kazan"}),
    ("remittances", None, {"ru": "Western Union", "ky": "Western Union", "en": "Western Union"}),
    ("remittances", "RU", {"ru": "Western Union", "ky": "Western Union", "en": "Western Union"}),
]


@pytest.mark.parametrize(("topic", "country", "subject"), STALE_POINTS)
def test_a_fact_likely_to_have_changed_since_2022_carries_a_caveat(content, topic, country, subject):
    for lang in content.languages:
        body = content.render(topic, lang, country).body
        assert subject[lang].casefold() in body.casefold(), (topic, lang)
        assert any(CAVEAT[lang].search(line) for line in body.splitlines()), (topic, lang, country)
