"""Is a message a bare reply ("да", "не знаю", "ok thanks", "👍") that asks nothing?

The router always finds some topic for a few letters («не знаю» once scored the
unpaid-wages topic), so bare replies are recognised before routing, from the phrases
caseworkers list in content/bare_replies.yaml. Both the phrases and the message are folded
to their skeleton, so «жок», "jok" and "zhok" are one phrase; a message is bare when it is
nothing but listed phrases, or has no letter or digit at all ("?", "👍").
"""

from __future__ import annotations

from dataclasses import dataclass

from content.bare_replies import THANKS, UNSURE, BareReplies
from handlers.understanding.skeleton import skeleton


@dataclass(frozen=True)
class BareReply:
    """What a bare reply says, and the one language whose list alone holds all of it, if any."""

    kind: str  # thanks, or what else it says: agree, decline, unsure
    language: str | None  # "ky" for «жок» or "jok"; None for «ок», «рахмат» (ru and ky) or "👍"
    says: tuple[str, ...] = ()  # the kind of each phrase in order: «нет, спасибо» is decline, thanks

    def answer(self, kinds: tuple[str, ...]) -> str | None:
        """The last of `kinds` it says: «да, спасибо» to a yes-or-no question is a yes."""
        return next((kind for kind in reversed(self.says) if kind in kinds), None)


class BareReplyReader:
    """The phrases of one content version, folded once."""

    def __init__(self, phrases: BareReplies) -> None:
        self._kinds: dict[tuple[str, ...], str] = {}
        self._languages: dict[tuple[str, ...], set[str]] = {}
        self._symbols: dict[str, str] = {}  # emoji fold to nothing: matched as typed, in no language
        for lang, kinds in phrases.items():
            for kind, listed in kinds.items():
                for phrase in listed:
                    words = tuple(skeleton(phrase).split())
                    if words:
                        self._kinds.setdefault(words, kind)
                        self._languages.setdefault(words, set()).add(lang)
                    else:
                        self._symbols.setdefault(phrase, kind)
        self._longest = max((len(words) for words in self._kinds), default=0)

    def read(self, text: str) -> BareReply | None:
        """The bare reply `text` is, or None when it holds anything else (a question)."""
        words = skeleton(text).split()
        if not words:
            kinds = [kind for symbol, kind in self._symbols.items() if symbol in text]
            kind = THANKS if THANKS in kinds else next(iter(kinds), UNSURE)
            return BareReply(kind, None, tuple(kinds))
        phrases = self._split(words)
        if phrases is None:
            return None
        kinds = [self._kinds[phrase] for phrase in phrases]
        kind = THANKS if THANKS in kinds else kinds[-1]  # "ок спасибо" thanks; "да, не знаю" is unsure
        languages = set.intersection(*(self._languages[phrase] for phrase in phrases))
        return BareReply(kind, languages.pop() if len(languages) == 1 else None, tuple(kinds))

    def _split(self, words: list[str]) -> list[tuple[str, ...]] | None:
        """The message as listed phrases, longest first from the left; None if a word is left over."""
        phrases: list[tuple[str, ...]] = []
        start = 0
        while start < len(words):
            for size in range(min(self._longest, len(words) - start), 0, -1):
                candidate = tuple(words[start : start + size])
                if candidate in self._kinds:
                    phrases.append(candidate)
                    start += size
                    break
            else:
                return None
        return phrases
