"""Personal names written without "меня зовут": «Токонов Айбек Маратович не может получить
зарплату», «my boss Sergey Ivanov took my passport», «Асанов Бакыт уулу», «Saltanat Abdieva».

Each word gets a weight of evidence from the word lists (data/names.yaml), the shape of
Central Asian and Russian names (-ов/-ова, -ович/-овна, уулу/кызы, -бек/-гүл) and the
Russian dictionary (morphology.py); places, institutions, months and words that start a
sentence count against. A run of neighbouring words is a name when one word in it is
clearly part of a name and the rest could be; a lone word only when it is clearly a name
on its own, or a word like "бригадир" or "агам" stands beside it. Redacting a word too
many costs a reviewer little; a name left in the log can cost a migrant a lot.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from storage.redaction import morphology
from storage.redaction.lexicon import is_cyrillic, lexicon

STRONG, WEAK, NONE = 2, 1, 0

_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# Between two parts of one name: spaces, or the dot of an initial ("А. Асанов", "Асанов А.Б.").
_JOIN_RE = re.compile(r"[ \t\u00a0]+|\.[ \t\u00a0]*")
_SENTENCE_END = '.!?…\n:;«"“(/|'
# Kyrgyz genitive endings look like the Russian surname ending -ин: Кыргызстандын, Бишкектин.
_KYRGYZ_GENITIVE = re.compile(r"(?:[днт][ыиуү]н|[нт]ин)$")


@dataclass(frozen=True)
class Word:
    """What one word says about being part of a name."""

    weight: int  # STRONG: a name on its own; WEAK: could be part of one; NONE: is not
    particle: bool = False  # уулу, кызы
    before_person: bool = False  # бригадир, boss: the next word is likely a person
    after_person: bool = False  # агам, эже: the word before is likely a person
    maybe_initial: bool = False  # one capital letter
    named: bool = False  # some sign of a name (a list, a name ending, the dictionary), not just a capital


_NOT_A_NAME = Word(NONE)


def _is_capitalised(word: str) -> bool:
    return word[0].isupper() and not (word.isupper() and len(word) <= 4)


def _ends_with(low: str, endings: tuple[str, ...], min_stem: int = 3) -> bool:
    return any(low.endswith(e) and len(low) - len(e) >= min_stem for e in endings)


@functools.lru_cache(maxsize=8192)
def judge(word: str) -> Word:
    """How much one word, as written, looks like part of a personal name."""
    lex = lexicon()
    low = word.lower()
    if lex.exactly(word, lex.particles):
        return Word(NONE, particle=True)
    if lex.exactly(word, lex.person_before):
        return Word(NONE, before_person=True, after_person=lex.exactly(word, lex.person_after))
    if lex.exactly(word, lex.person_after):
        return Word(NONE, after_person=True)
    if len(word) == 1:
        return Word(NONE, maybe_initial=word.isupper())
    if word.isupper() and len(word) <= 4 or (word[:2].isupper() and not word.isupper()):
        return _NOT_A_NAME  # МВД, EPS, ИНН; an abbreviation with a Kyrgyz ending: СИЗОдо, МВДга
    if lex.exactly(word, lex.not_names) or lex.exactly(word, lex.calendar):
        return _NOT_A_NAME
    if lex.matches(word, lex.places, min_stem=2):
        return _NOT_A_NAME
    capitalised = _is_capitalised(word)
    cyrillic = is_cyrillic(word)
    dictionary = morphology.readings(word) if cyrillic and (capitalised or _shaped_like_a_name(low)) else None
    if dictionary is not None and dictionary.place:
        # Хасанов is a surname and, in the dictionary, "of the Khasans": a name only in company.
        return Word(WEAK, named=True) if dictionary.person and capitalised else _NOT_A_NAME
    if cyrillic and capitalised and dictionary is not None and not dictionary.known and _is_a_place_inflected(low):
        return _NOT_A_NAME  # Новосибирскте, Кореяга
    if _ends_with(low, lex.patronymic_endings):
        if dictionary is None or not dictionary.common:
            return Word(STRONG, named=True)
        return Word(WEAK, named=True) if capitalised else _NOT_A_NAME
    if lex.matches(word, lex.ambiguous_first_names):
        return Word(WEAK, named=True) if capitalised else _NOT_A_NAME  # күн, ulan: ordinary words
    if lex.matches(word, lex.first_names):
        return Word(STRONG if capitalised else WEAK, named=True)
    if dictionary is not None and dictionary.person:
        if not dictionary.common:
            return Word(STRONG if capitalised else WEAK, named=True)
        # Долгов, Вера: a name only beside another part, or capitalised inside a sentence;
        # Московской (области) is an adjective there, so only beside another part.
        return Word(WEAK, named=not dictionary.adjective) if capitalised else _NOT_A_NAME
    if dictionary is not None and dictionary.common:
        return _NOT_A_NAME
    if _ends_with(low, lex.surname_strong):
        return Word(STRONG if capitalised else WEAK, named=True)
    if capitalised and len(low) >= 5 and _ends_with(low, lex.given_name_endings):
        return Word(STRONG, named=True)
    if capitalised:
        surname_like = _ends_with(low, lex.surname_weak) and not _KYRGYZ_GENITIVE.search(low)
        return Word(WEAK, named=surname_like)  # an unknown capitalised word: a name only in company
    return _NOT_A_NAME


def _shaped_like_a_name(low: str) -> bool:
    """A lower-case word worth a dictionary look-up: it has a surname or patronymic ending."""
    lex = lexicon()
    return _ends_with(low, lex.surname_strong) or _ends_with(low, lex.patronymic_endings)


def _is_a_place_inflected(low: str) -> bool:
    """A Kyrgyz case ending on a place the Russian dictionary knows: Новосибирскте, Кореяга."""
    return any(
        low.endswith(ending) and len(low) - len(ending) >= 2 and morphology.readings(low[: -len(ending)]).place
        for ending in _KYRGYZ_PLACE_ENDINGS
    )


_KYRGYZ_PLACE_ENDINGS = (
    "дагы",
    "деги",
    "тагы",
    "теги",
    "дан",
    "ден",
    "тан",
    "тен",
    "нан",
    "нен",
    "тун",
    "түн",
    "дун",
    "дүн",
    "нын",
    "нин",
    "дын",
    "дин",
    "тын",
    "тин",
    "га",
    "ге",
    "ка",
    "ке",
    "да",
    "де",
    "та",
    "те",
    "ды",
    "ди",
    "ты",
    "ти",
    "ны",
    "ни",
    "ко",
    "кө",
    "го",
    "гө",
    "то",
    "тө",
    "до",
    "дө",
)


@dataclass
class _Token:
    text: str
    start: int
    end: int
    word: Word
    initial: bool  # starts a sentence
    joined: bool  # only spaces (or an initial's dot) separate it from the previous word


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    previous_end = 0
    for match in _WORD_RE.finditer(text):
        gap = text[previous_end : match.start()]
        initial = not tokens or any(ch in _SENTENCE_END for ch in gap) and not _is_initial_dot(tokens, gap)
        joined = bool(tokens) and bool(_JOIN_RE.fullmatch(gap))
        tokens.append(_Token(match.group(), match.start(), match.end(), judge(match.group()), initial, joined))
        previous_end = match.end()
    return tokens


def _is_initial_dot(tokens: list[_Token], gap: str) -> bool:
    """ "А. Асанов": the dot after an initial does not end a sentence."""
    return tokens[-1].word.maybe_initial and gap.strip() == "."


def name_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every personal name found in `text`."""
    tokens = _tokens(text)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        run = _run_from(tokens, i)
        if not run:
            i += 1
            continue
        if _is_name(tokens, run):
            spans.append((tokens[run[0]].start, tokens[run[-1]].end))
        i = run[-1] + 1
    return spans


def _could_join(token: _Token) -> bool:
    w = token.word
    return w.weight > NONE or w.particle or w.maybe_initial


def _run_from(tokens: list[_Token], i: int) -> list[int]:
    """Indices of neighbouring words from i that could all be parts of one name."""
    if not _could_join(tokens[i]):
        return []
    run = [i]
    j = i + 1
    while j < len(tokens) and tokens[j].joined and not tokens[j].initial and _could_join(tokens[j]):
        run.append(j)
        j += 1
    # A doubtful capitalised word that merely starts the sentence is left out: "Кечээ Айбек келди";
    # not before уулу/кызы, where it is the father's name: "Мамасадык кызы Айпери".
    while (
        len(run) > 1
        and tokens[run[0]].initial
        and tokens[run[0]].word.weight == WEAK
        and not tokens[run[0]].word.named
        and not _surname_or_particle(tokens[run[1]].text)
    ):
        run.pop(0)
    return run


def _surname_or_particle(word: str) -> bool:
    """A surname or уулу/кызы: the word before it is a given or father's name ("Ajym Mamatova")."""
    lex = lexicon()
    low = word.lower()
    return judge(word).particle or _ends_with(low, lex.surname_strong) or _ends_with(low, lex.patronymic_endings)


def _is_name(tokens: list[_Token], run: list[int]) -> bool:
    words = [tokens[k] for k in run]
    parts = [t for t in words if t.word.weight > NONE]
    if not parts:
        return False
    strong = any(t.word.weight == STRONG for t in parts)
    if len(parts) >= 2 and (strong or all(_is_capitalised(t.text) for t in parts)):
        return strong or _has_company(tokens, run) or any(t.word.named for t in parts)
    if len(parts) >= 2 and all(t.word.named for t in parts) and any(_surname_or_particle(t.text) for t in parts):
        return True  # written in lower case: "айбек токонов"
    if any(t.word.particle for t in words) and any(_is_capitalised(t.text) for t in parts):
        return True  # Бакыт уулу, Bakyt uulu
    if any(t.word.maybe_initial for t in words) and _is_capitalised(parts[0].text):
        return True  # А. Асанов
    lone = parts[0]
    if lone.word.weight == STRONG:
        return True
    if _has_company(tokens, run) and (_is_capitalised(lone.text) or lone.word.named):
        return True
    # A doubtful name capitalised in the middle of a sentence ("ищу Бакыт", "участка Петров"),
    # or alone in its sentence, as in callback data ("t:Бермет").
    return _is_capitalised(lone.text) and lone.word.named and (not lone.initial or _alone(tokens, run))


def _alone(tokens: list[_Token], run: list[int]) -> bool:
    after = run[-1] + 1
    return after == len(tokens) or tokens[after].initial


def _has_company(tokens: list[_Token], run: list[int]) -> bool:
    """A person word right before ("бригадир Улан", "my boss Kim") or after ("Нурлан агам")."""
    before = run[0] - 1
    after = run[-1] + 1
    if before >= 0 and tokens[before].word.before_person and tokens[run[0]].joined:
        return True
    return after < len(tokens) and tokens[after].word.after_person and tokens[after].joined
