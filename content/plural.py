"""Numbers that agree with their nouns: «1 сообщение», «3 сообщения», «5 сообщений», "1 message".

A label keeps the forms of its noun itself, as data: after a number's placeholder,
`{messages:сообщение|сообщения|сообщений}` writes the form that agrees with that number.
Russian lists three forms (one: 1, 21, 101…; few: 2–4, 22–24…; many: 0, 5–20, 11–14, 25…),
in whatever case the sentence needs them; English two (one, other). Kyrgyz nouns do not
change after a numeral («5 билдирүү»), so a Kyrgyz label lists none. The rules are the
CLDR plural rules for integers; a fraction takes the "few" form in Russian («1,5 сообщения»)
and "other" in English.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from typing import Any

# The forms a label lists, in this order, per language. A language not here yet (one a caseworker
# adds by copying the English files, content/languages/) is read by the commonest rule, one/other,
# until its own is written here.
FORMS: dict[str, tuple[str, ...]] = {"ru": ("one", "few", "many"), "en": ("one", "other"), "ky": ()}
OTHER_LANGUAGES = ("one", "other")
SEPARATOR = "|"


def category(count: float, lang: str) -> str:
    """The plural category of `count` in `lang`: one, few, many or other."""
    order = FORMS.get(lang, OTHER_LANGUAGES)
    if not order:
        return "other"
    whole = isinstance(count, int) or float(count).is_integer()
    if order == OTHER_LANGUAGES:
        return "one" if whole and abs(count) == 1 else "other"
    if not whole:
        return "few"
    n = abs(int(count))
    if n % 10 == 1 and n % 100 != 11:
        return "one"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "few"
    return "many"


def agree(count: float, forms: Sequence[str], lang: str) -> str:
    """The one of `forms` (listed in the order FORMS gives for `lang`) that agrees with `count`."""
    order = FORMS.get(lang, OTHER_LANGUAGES)
    if len(forms) != len(order):
        wanted = " | ".join(order) if order else "no forms (the noun does not change)"
        raise ValueError(f"{lang}: {len(forms)} noun form(s) given ({SEPARATOR.join(forms)}), expected {wanted}")
    return forms[order.index(category(count, lang))]


class _CountFormatter(string.Formatter):
    """str.format where a spec with `|` picks a noun form and a bare whole number is written
    the language's way."""

    def __init__(self, lang: str, number: Callable[[int], str]) -> None:
        self.lang = lang
        self.number = number

    def format_field(self, value: Any, format_spec: str) -> str:
        if SEPARATOR in format_spec:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"noun forms '{format_spec}' follow {value!r}, which is not a number")
            return agree(value, format_spec.split(SEPARATOR), self.lang)
        if not format_spec and isinstance(value, int) and not isinstance(value, bool):
            return self.number(value)
        return super().format_field(value, format_spec)


def form_problems(template: str, lang: str) -> str | None:
    """What stops the label from being filled in with counts, or None: a noun listing a number
    of forms the language does not have, a spec that is no format. `helpline validate` asks, so
    that a slip shows there and not when an admin asks for /stats."""
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        format_counts(template, lang, **dict.fromkeys(fields, 1))
    except (ValueError, KeyError, IndexError) as error:
        return str(error)
    return None


def format_counts(template: str, lang: str, number: Callable[[int], str] = str, /, **values: Any) -> str:
    """`template.format(**values)`, with every `{name:form|form…}` agreeing with the number `name`
    and every bare whole number written by `number` ("1 234" in a Russian report, say)."""
    return _CountFormatter(lang, number).format(template, **values)
