"""Strip personal data from user messages before they reach the query log.

The people who write to the helpline are labour migrants, some without papers. A log line
that still holds a phone, passport or card number could hurt them, so `redact` replaces
such data with a typed placeholder (``<phone>``, ``<passport>`` ...) and leaves the rest
of the question readable for reviewers.

The rules are deliberately biased towards over-redaction: when a long number cannot be
classified it still becomes ``<number>``. Short numbers (days, hotline 1899, years, dates,
amounts) are kept because they carry the meaning of the question and identify nobody.

Everything is local: regexes compiled at import, `phonenumbers` imported on first use,
`stdnum.luhn` for card checks. Names and addresses written without a keyword are found by
people.py and addresses.py from word lists in data/ (caseworkers may extend them) and the
Russian dictionary of pymorphy3 (morphology.py), which loads in the background at import.
No network, no model.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable

from stdnum import luhn

from content.language_data import Language
from storage.redaction import morphology
from storage.redaction.addresses import street_number_spans
from storage.redaction.lexicon import lexicon as _word_lists
from storage.redaction.people import name_spans
from storage.redaction.triggers import Triggers, bundled_triggers, triggers_for

__all__ = ["PLACEHOLDERS", "redact"]

PHONE = "<phone>"
EMAIL = "<email>"
URL = "<url>"
HANDLE = "<handle>"
PASSPORT = "<passport>"
PERSONAL_NUMBER = "<personal_number>"
CARD = "<card>"
CARD_CODE = "<card_code>"
NUMBER = "<number>"
ADDRESS = "<address>"
NAME = "<name>"

PLACEHOLDERS = (
    PHONE,
    EMAIL,
    URL,
    HANDLE,
    PASSPORT,
    PERSONAL_NUMBER,
    CARD,
    CARD_CODE,
    NUMBER,
    ADDRESS,
    NAME,
)

#: Regions whose national phone formats migrants use: home, the main destinations and
#: neighbours, and Korea (EPS programme). Most likely first: the matcher stops early.
PHONE_REGIONS = ("KG", "RU", "KZ", "KR", "UZ", "TJ")

#: A run of this many digits or more is never left in the log.
MIN_LONG_DIGITS = 7

# Letters without digits or underscore, in any script (Cyrillic, Kyrgyz Ө Ү Ң, Latin).
_LETTER = r"[^\W\d_]"
_SP = r"[ \t\u00a0\u202f]"  # spaces that may sit inside a written number
_DASH = r"[-\u2010\u2011\u2013]"  # hyphen, non-breaking hyphen, en dash

# --- contact data ----------------------------------------------------------------------

_EMAIL_RE = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")

_URL_RE = re.compile(
    r"(?<![\w.@/])"
    r"(?:https?://|tg://|www\.|(?:t|telegram|wa)\.me/|"
    r"(?:vk\.com|ok\.ru|instagram\.com|facebook\.com|fb\.com)/)"
    r"[^\s<>\"']*",
    re.IGNORECASE,
)
_URL_TRAILING = ".,;:!?)]}»\u201d"

# Telegram usernames start with a letter; 3+ chars also covers other networks' handles.
_HANDLE_RE = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{2,31}(?![A-Za-z0-9_])")

# --- identity documents ----------------------------------------------------------------

# Kyrgyz passport (AN, AC ...) or ID card (ID): two letters and 7 digits. People type the
# series in Cyrillic look-alikes (АН) or in lower case. With a space before the digits,
# only capitals or the known series count, so "на 1234567" stays a plain number.
_LOOKALIKES = "АВЕКМНОРСТХИД"
_KG_PASSPORT_RE = re.compile(
    rf"(?<!{_LETTER})(?<!\d)"
    rf"(?:(?i:[a-z{_LOOKALIKES}]{{2}})"
    rf"|(?:[A-Z{_LOOKALIKES}]{{2}}|(?i:an|ac|id|ан|ас|ид))(?:{_SP}?[\-№#]{_SP}?|{_SP}))"
    r"\d{7}(?![\d])"
)

# Russian passport written "4510 123456" or "45 10 123456" (series, number).
_RU_PASSPORT_SHAPE = re.compile(rf"\d{{4}}{_SP}\d{{6}}|\d{{2}}{_SP}\d{{2}}{_SP}\d{{6}}")
# "серия 4510 номер 123456": the two halves are split by words, so no single run is long.
_RU_PASSPORT_SPLIT_RE = re.compile(
    rf"(?i:серия|серии|сер\.)\s*(\d{{2}}{_SP}?\d{{2}})\s*(?i:№|номер|ном\.|n|no\.?)\s*(\d{{6}})(?!\d)"
)
# "паспорт 4510123456": ten digits in a row read as a phone unless the word says otherwise.
_PASSPORT_WORD_RE = re.compile(r"(?i:паспорт\w*|passport|паспорту)[^\d\n<]{0,25}?(?<!\d)(\d{10})(?!\d)")

# --- numbers ---------------------------------------------------------------------------

_GROUP = r"(?:\(\d++\)|\d++)"
_SEP = rf"(?:{_SP}?{_DASH}{_SP}?|{_SP})"
# A "run": digit groups joined by single spaces, dashes or brackets, as numbers are typed.
_RUN_RE = re.compile(rf"(?:\+{_SP}?)?{_GROUP}(?:{_SEP}?{_GROUP})*+")
_DIGITS_RE = re.compile(r"\d+")
_NON_DIGITS_RE = re.compile(r"\D+")

_DATE_SEP = r"[-./\u2010\u2011\u2013]"
_DATE = re.compile(
    rf"(?:0?[1-9]|[12]\d|3[01]){_DATE_SEP}(?:0?[1-9]|1[0-2]){_DATE_SEP}(?:\d{{2}}|\d{{4}})"
    rf"|(?:19|20)\d\d{_DATE_SEP}(?:0?[1-9]|1[0-2]){_DATE_SEP}(?:0?[1-9]|[12]\d|3[01])"
)
_YEAR_RANGE = re.compile(rf"(?:19|20)\d\d{_SP}?{_DASH}{_SP}?(?:19|20)\d\d")
_THOUSANDS = re.compile(rf"\d{{1,3}}(?:{_SP}\d{{3}})+")
_CURRENCY_AFTER = re.compile(
    r"\s*(?i:руб|р\.|₽|сом|som|тенге|тг|₸|сум|сомони|вон|won|₩|\$|usd|kgs|rub|kzt|"
    r"долл|dollar|евро|eur|€|тыс)"
)

# Where the phonenumbers matcher is worth running: 7+ digits with phone punctuation.
_PHONE_CHUNK_RE = re.compile(r"\+?\(?\d[\d \t\u00a0().\-\u2010\u2011\u2013/]*\d\)?")
_MAX_CHUNK_DIGITS = 40

# Typical written phone forms, checked on the digits of a run when phonenumbers said no.
_PHONE_FALLBACK = re.compile(
    r"0\d{9,10}"  # KG 0555123456, KR 01012345678
    r"|[78]\d{10}"  # RU/KZ 8 916 ..., +7 916 ...
    r"|9\d{9}"  # RU mobile without trunk prefix
    r"|99[268]\d{9}"  # KG, TJ, UZ with country code
    r"|82\d{9,10}"  # KR with country code
)

# Card numbers are usually grouped by four (Amex 4-6-5); other shapes are left to phones.
_CARD_GROUPINGS = {(4, 4, 4, 4), (4, 4, 4, 4, 3), (4, 4, 4, 4, 2), (4, 4, 4, 1), (4, 6, 5), (4, 6, 4), (4, 4, 4, 4, 4)}

# --- addresses -------------------------------------------------------------------------
# Street and house keywords ("ул.", "көчөсү", "кв") are the languages' words: triggers.py.

_ADDR_TOKEN_RE = re.compile(
    rf"(?P<lead>[ \t]*(?P<comma>,[ \t]*)?)"
    rf"(?:(?P<num>№?{_SP}?\d+(?:[/\-]\d+)?\w*)"
    rf"|(?P<word>{_LETTER}[\w\-'’]*))"
)
_MAX_STREET_TOKENS = 5
# A building or block number after a house number already redacted: "<address> к2", "<address>, корп. 3".
_BUILDING_AFTER_RE = re.compile(rf"(?<=<address>),?{_SP}*(?:к|корп|стр|k|bldg)\.?{_SP}*\d{{1,3}}(?!\d)", re.IGNORECASE)
# A flat after a house already redacted: "<address> kv 10", "<address>, кв 5" ("1 кв. 2026" is not one).
_FLAT_AFTER_RE = re.compile(
    rf"(?<=<address>)(?P<kw>,?{_SP}*(?:кв|квартира|kv|apt|flat|room|комната)\.?{_SP}*)\d{{1,4}}{_LETTER}?(?![\w])",
    re.IGNORECASE,
)

# --- card security code ----------------------------------------------------------------

# "cvv 123", "CVC2: 1234", "код на обороте 123", "арткы жагындагы код 123"; or the number first: "123 cvv".
_CARD_CODE_WORDS = (
    r"(?:cvv2?|cvc2?|cvv-?код\w*|cvc-?код\w*|cid|security\s+code|card\s+code"
    r"|код\w*\s+(?:на|с|со)\s+(?:оборот\w*|обратной\s+сторон\w*|задней\s+сторон\w*|спине|спинке)"
    r"|три\s+цифры(?:\s+(?:сзади|на\s+обороте|с\s+обратной\s+стороны))?"
    r"|(?:арткы|артындагы|аркасындагы)\s+(?:жагындагы\s+)?(?:код\w*|сан\w*|цифра\w*|үч\s+сан\w*))"
)
_CARD_CODE_RE = re.compile(
    rf"(?<!{_LETTER})(?i:{_CARD_CODE_WORDS})(?!{_LETTER})[^\d\n<]{{0,20}}?(?<!\d)(?P<code>\d{{3,4}})(?!\d)"
    rf"|(?<![\d/.])(?P<before>\d{{3,4}})(?![\d/.]){_SP}*[-—–(:]?{_SP}*(?:это{_SP}+)?"
    rf"(?<!{_LETTER})(?i:{_CARD_CODE_WORDS})(?!{_LETTER})"
)

# --- names -----------------------------------------------------------------------------
# The phrases that introduce a name ("меня зовут", "атым", "Name:") are in triggers.py.

_NAME_WORD_RE = re.compile(rf"[ \t]*(?:[:—–-][ \t]*)?({_LETTER}+(?:[-'’]{_LETTER}+)*)")
_NAME_NEXT_RE = re.compile(rf"[ \t]+({_LETTER}+(?:[-'’]{_LETTER}+)*)")
_MAX_NAME_WORDS = 3

# Words that end a name or show that the trigger was not about a name at all
# ("меня зовут на работу" = "I am being called to work").
_NOT_NAME = frozenset(
    """
    и а но или я ты он она мы вы они меня мне мой моя моё мое не нет да в во на по с со к ко
    у о об от до из за для при без про это как что где когда почему зачем уже еще ещё тоже
    живу работаю приехал приехала сейчас здесь тут был была лет год года помогите пожалуйста
    здравствуйте привет хочу могу нужно надо мигрант гражданин гражданка все всё
    мен сен ал биз силер алар менин мага жана же бирок деген деп эле дагы ооба жок мында
    азыр жашайм иштейм келдим жардам саламатсызбы салам кара ак бар жок барбы жокпу эмне ким
    кандай качан кайда туура эмес өзгөрдү тизмеде тизмеге базада жазылган
    есть было записано указано написано неправильно стоит базе списке
    and or but i im am is are was from in at on to the a an my me live work working living
    here now please hello hi not no yes with for was wrong listed
    """.split()
)


@functools.cache
def _phonenumbers():
    """Import phonenumbers on first use: its metadata loads lazily and costs ~100 ms."""
    import phonenumbers

    return phonenumbers


def _replace_spans(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """Replace non-overlapping (start, end, placeholder) spans; overlaps are merged."""
    merged: list[list] = []
    for start, end, label in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            continue
        merged.append([start, end, label])
    out, pos = [], 0
    for start, end, label in merged:
        out.append(text[pos:start])
        out.append(label)
        pos = end
    out.append(text[pos:])
    return "".join(out)


# --- stage functions -------------------------------------------------------------------


def _redact_urls(text: str) -> str:
    """Links: profile links and wa.me/<phone> identify a person; keep trailing punctuation."""

    def sub(match: re.Match[str]) -> str:
        raw = match.group(0)
        kept = raw.rstrip(_URL_TRAILING)
        return URL + raw[len(kept) :]

    return _URL_RE.sub(sub, text)


def _is_exempt(run: str, after: str) -> bool:
    """Dates, year ranges and grouped money amounts are readable facts, not identifiers."""
    return bool(
        _DATE.fullmatch(run)
        or _YEAR_RANGE.fullmatch(run)
        or (_THOUSANDS.fullmatch(run) and _CURRENCY_AFTER.match(after))
    )


def _digit_groups(run: str) -> list[re.Match[str]]:
    return list(_DIGITS_RE.finditer(run))


def _valid_kg_phone(digits: str) -> bool:
    pn = _phonenumbers()
    try:
        return pn.is_valid_number(pn.parse(digits, "KG"))
    except pn.NumberParseException:
        return False


def _classify_document(run: str, digits: str) -> str | None:
    """Placeholder for a run that is a whole ID, passport or card number, else None."""
    if run == digits and len(digits) == 14 and digits[0] in "12":
        # Kyrgyz personal number (ПИН/ИНН): 14 digits, first one is the sex, 1 or 2.
        # Checked before cards: a PIN can pass Luhn by chance.
        return PERSONAL_NUMBER
    if _RU_PASSPORT_SHAPE.fullmatch(run):
        # "0555 123456" is also a Kyrgyz mobile written 4+6: let the phone rule have it.
        if not (digits[0] == "0" and _valid_kg_phone(digits)):
            return PASSPORT
    if "+" not in run and "(" not in run and 13 <= len(digits) <= 19 and luhn.is_valid(digits):
        return CARD
    return None


def _has_card_inside(groups: list[re.Match[str]]) -> bool:
    """A card typed next to other digits (CVV, expiry): a card-shaped, Luhn-valid window."""
    for i in range(len(groups)):
        total = 0
        for j in range(i, len(groups)):
            total += len(groups[j].group())
            if total > 19:
                break
            if total < 13:
                continue
            window = groups[i : j + 1]
            if len(window) > 1 and tuple(len(g.group()) for g in window) not in _CARD_GROUPINGS:
                continue
            if luhn.is_valid("".join(g.group() for g in window)):
                return True
    return False


def _redact_documents(text: str) -> str:
    """Personal numbers, passports and cards, before phones: their digits could pass as
    phone numbers, and a passport logged as <phone> misleads whoever reads the log."""
    text = _KG_PASSPORT_RE.sub(PASSPORT, text)
    text = _RU_PASSPORT_SPLIT_RE.sub(lambda m: m.group(0)[: m.start(1) - m.start()] + PASSPORT, text)
    text = _PASSPORT_WORD_RE.sub(lambda m: m.group(0)[: m.start(1) - m.start()] + PASSPORT, text)

    def sub(match: re.Match[str]) -> str:
        run = match.group(0)
        groups = _digit_groups(run)
        digits = "".join(g.group() for g in groups)
        if len(digits) < MIN_LONG_DIGITS or _is_exempt(run, text[match.end() :]):
            return run
        label = _classify_document(run, digits)
        if label:
            return label
        if len(digits) > 13 and _has_card_inside(groups):
            # The rest of the run is most likely the CVV or expiry: it goes too.
            return CARD
        return run

    return _RUN_RE.sub(sub, text)


def _redact_phones_with_library(text: str) -> str:
    """phonenumbers' matcher, VALID leniency over each region (POSSIBLE also takes dates,
    years and amounts). Spans found by several regions are merged.

    The matcher is slow pure Python, so it only sees the phone-like chunks of the text,
    and stops trying regions once one region explains the whole chunk.
    """
    spans = []
    for chunk in _PHONE_CHUNK_RE.finditer(text):
        n_digits = _count_digits(chunk.group())
        if MIN_LONG_DIGITS <= n_digits <= _MAX_CHUNK_DIGITS and not _DATE.fullmatch(chunk.group()):
            spans.extend(_phone_spans(chunk.group(), chunk.start(), n_digits, text))
    return _replace_spans(text, spans) if spans else text


def _phone_spans(chunk: str, offset: int, n_digits: int, text: str) -> list[tuple[int, int, str]]:
    """Phone spans (in `text` coordinates) inside one phone-like chunk."""
    if _is_exempt(chunk, text[offset + len(chunk) :]):
        return []
    if n_digits < 9 and chunk.isdigit():
        # A bare 7-8 digit string (patent, contract) is no mobile anywhere in PHONE_REGIONS;
        # it becomes <number> later without paying for six parses.
        return []
    pn = _phonenumbers()
    # Fast path: the chunk as a whole is a valid number (the usual case, several times
    # cheaper than the matcher).
    for region in PHONE_REGIONS:
        try:
            if pn.is_valid_number(pn.parse(chunk, region)):
                return [(offset, offset + len(chunk), PHONE)]
        except pn.NumberParseException:
            continue
    if chunk.lstrip("+").isdigit():
        # One unbroken digit string: the matcher could only try that same whole string.
        return []
    spans = []
    for region in PHONE_REGIONS:
        covered = 0
        for match in pn.PhoneNumberMatcher(chunk, region, leniency=pn.Leniency.VALID):
            digits = _count_digits(match.raw_string)
            if digits < MIN_LONG_DIGITS:
                continue
            start, end = offset + match.start, offset + match.end
            if _is_exempt(match.raw_string, text[end:]):
                continue
            spans.append((start, end, PHONE))
            covered += digits
        if covered == n_digits:
            break
    return spans


def _redact_long_runs(text: str) -> str:
    """Whatever long run is left: a phone in a form the library rejected, or any other
    number of 7+ digits (patent, migration card, contract ...)."""

    def sub(match: re.Match[str]) -> str:
        run = match.group(0)
        digits = "".join(_DIGITS_RE.findall(run))
        if len(digits) < MIN_LONG_DIGITS or _is_exempt(run, text[match.end() :]):
            return run
        if run.startswith("+") and 8 <= len(digits) <= 15:
            return PHONE
        if _PHONE_FALLBACK.fullmatch(digits):
            return PHONE
        return NUMBER

    return _RUN_RE.sub(sub, text)


def _redact_card_codes(text: str) -> str:
    """The three or four digits of a card's security code, with or without the card."""

    def sub(match: re.Match[str]) -> str:
        group = "code" if match.group("code") else "before"
        return (
            match.group(0)[: match.start(group) - match.start()]
            + CARD_CODE
            + match.group(0)[match.end(group) - match.start() :]
        )

    return _CARD_CODE_RE.sub(sub, text)


def _redact_addresses(text: str, triggers: Triggers) -> str:
    """Street names and house/flat numbers after (or, in Kyrgyz, before) their keyword, or a
    capitalised street name right before a house number ("Профсоюзная 43 к2"). A keyword stays
    so the reviewer still sees that an address was given."""
    text = triggers.street_after.sub(
        lambda m: ADDRESS + " " + m.group("kw") + (" " + ADDRESS if m.group("num") else ""),
        text,
    )
    text = _sub_street_before(text, triggers)
    text = triggers.house.sub(lambda m: m.group(0)[: m.start("num") - m.start()] + ADDRESS, text)
    text = triggers.house_before.sub(lambda m: ADDRESS + m.group("sep") + m.group("kw"), text)
    spans = street_number_spans(text)
    if spans:
        text = _replace_spans(text, [(start, end, ADDRESS) for start, end in spans])
    text = _BUILDING_AFTER_RE.sub("", text)
    return _FLAT_AFTER_RE.sub(lambda m: m.group("kw") + ADDRESS, text)


def _sub_street_before(text: str, triggers: Triggers) -> str:
    spans = []
    for kw in triggers.street_before.finditer(text):
        end = _street_name_end(text, kw.end(), abbreviated=kw.group("abbr") is not None)
        if end is not None:
            start = kw.end()
            # keep the space after the keyword
            while start < end and text[start] in " \t":
                start += 1
            spans.append((start, end, ADDRESS))
    return _replace_spans(text, spans) if spans else text


def _street_name_end(text: str, pos: int, *, abbreviated: bool) -> int | None:
    """End of "<street name> <house number>" starting at pos, or None if no name follows.

    The name runs up to the first house number ("ул. 40 лет Победы 3"); without a number
    it is the first word plus any capitalised ones ("ул. Малая Бронная"). After a full word
    like "улице" the name must be capitalised or directly followed by a number, so that
    "на улице холодно" (it is cold outside) stays as it is.
    """
    tokens: list[re.Match[str]] = []
    end = pos
    while len(tokens) < _MAX_STREET_TOKENS:
        token = _ADDR_TOKEN_RE.match(text, end)
        if not token or (token.group("comma") and (not tokens or not token.group("num"))):
            break
        tokens.append(token)
        end = token.end()
        if token.group("comma"):
            break
    if not tokens:
        return None
    first = tokens[0]
    numbers = [i for i, token in enumerate(tokens) if i and token.group("num")]
    if first.group("word") and not abbreviated:
        capitalised = first.group("word")[0].isupper()
        if not capitalised and not (numbers and numbers[0] == 1):
            return None
    if numbers:
        return tokens[numbers[0]].end()
    if first.group("num"):
        return first.end()
    end = first.end()
    for token in tokens[1:]:
        if not token.group("word")[0].isupper():
            break
        end = token.end()
    return end


def _redact_names(text: str, triggers: Triggers) -> str:
    """Names given after "меня зовут", "менин атым", "my name is" (up to three words), and
    names anywhere else that look like names (people.py)."""
    spans = []
    for trigger in triggers.name.finditer(text):
        first = _NAME_WORD_RE.match(text, trigger.end())
        if not first:
            continue
        word = first.group(1)
        capitalised = word[0].isupper()
        if word.lower() in _NOT_NAME or (trigger.group("dash") and not capitalised):
            continue
        start, end = first.start(1), first.end(1)
        max_more = 0 if trigger.group("one_word") and not capitalised else _MAX_NAME_WORDS - 1
        for _ in range(max_more):
            nxt = _NAME_NEXT_RE.match(text, end)
            if not nxt:
                break
            candidate = nxt.group(1)
            if candidate.lower() in _NOT_NAME:
                break
            if capitalised and not candidate[0].isupper():
                break
            end = nxt.end(1)
        spans.append((start, end, NAME))
    spans.extend((start, end, NAME) for start, end in name_spans(text))
    return _replace_spans(text, spans) if spans else text


def _count_digits(text: str) -> int:
    return len(_NON_DIGITS_RE.sub("", text))


def _contact_stages(text: str) -> str:
    """E-mail before URL and handle: "ivan@mail.ru" must not turn into "ivan<handle>.ru"."""
    if "@" in text:
        text = _EMAIL_RE.sub(EMAIL, text)
    if "." in text or ":" in text:
        text = _redact_urls(text)
    if "@" in text:
        text = _HANDLE_RE.sub(HANDLE, text)
    return text


def redact(text: str, languages: tuple[Language, ...] | None = None) -> str:
    """Return `text` with personal data replaced by placeholders, everything else intact.

    The phrases that introduce a name or an address are those of `languages` (by default the
    bundled ones, content/languages/*.yaml), all at once whatever the message's language.

    Order matters: contacts first (a URL or e-mail may hold digits), then documents
    (PIN before card, card before phone), then phones, then any remaining long number,
    and only then addresses and names, so their short-number rules never split a long
    number and leave half of it behind.
    """
    if not text:
        return text
    text = _contact_stages(text)
    if _count_digits(text) >= MIN_LONG_DIGITS:
        text = _redact_documents(text)
        if _count_digits(text) >= MIN_LONG_DIGITS:
            text = _redact_phones_with_library(text)
            text = _redact_long_runs(text)
    if _count_digits(text) >= 3:
        text = _redact_card_codes(text)
    triggers = bundled_triggers() if languages is None else triggers_for(languages)
    text = _redact_addresses(text, triggers)
    text = _redact_names(text, triggers)
    return text


def _load_everything() -> None:
    _word_lists()
    bundled_triggers()
    morphology.load()


def warm_up() -> None:
    """Read the word lists and the Russian dictionary in the background, so the first
    message does not wait for them. The running bot calls this as it starts; a command that
    never redacts (validate, sheet, report) does not pay for it."""
    threading.Thread(target=_load_everything, name="redaction-warm-up", daemon=True).start()
