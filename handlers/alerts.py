"""The alerts dialogue: /alerts asks for consent, then for countries; /alerts off stops.

Nothing is stored before the person has read what is kept and pressed "yes" and then a
country. The conversation hands `/alerts …` and `al:…` buttons here; everything else about
alerts (files, sending) lives elsewhere. `render_alert` is the one place that decides how an
alert looks, so the sender and `helpline alerts preview` show the same message.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import OrderedDict

from content import Content
from content.alerts import Alert, load_alert_words
from handlers.actions import AlertStep, OpenTopic, button
from handlers.replies import Button, Reply
from storage.subscriptions import Subscriptions

log = logging.getLogger(__name__)
STOP = AlertStep("off")
MAX_REMEMBERED = 10_000


def render_alert(alert: Alert, lang: str, content: Content, words: dict[str, dict[str, str]]) -> Reply:
    """The message a subscriber reading `lang` receives: text, source, how to stop, buttons."""
    said = words[lang]
    source = alert.source
    if source.paragraphs:
        cited = (
            str(content.ui[lang]["source_line"])
            .strip()
            .format(paragraphs=", ".join(f"§{n}" for n in source.paragraphs))
        )
    else:
        checked = source.checked.isoformat() if source.checked else ""
        cited = said["external_source"].format(title=source.title, where=source.url or source.document, checked=checked)
    text = f"{alert.texts[lang]}\n\n{cited}\n\n{said['stop_hint']}"
    row = [button(said["more"], OpenTopic(alert.topic))] if alert.topic else []
    row.append(button(said["stop"], STOP))
    return Reply(text, (tuple(row),), title=f"{said['title']}: {alert.titles[lang]}")


class AlertDesk:
    """The /alerts dialogue. Each call gets the content the turn is answering with, so a
    reload reaches it without anyone reaching in."""

    def __init__(self, subscriptions: Subscriptions, retention_days: int) -> None:
        self.subscriptions = subscriptions
        self.retention_days = retention_days
        self._words: tuple[Content, dict[str, dict[str, str]]] | None = None
        self._seen: OrderedDict[str, tuple[dt.date, str]] = OrderedDict()

    def on_command(
        self, content: Content, user_key: str, chat_id: int, lang: str, argument: str, private: bool
    ) -> list[Reply]:
        """/alerts: consent (or the current choice); /alerts off: stop."""
        said = self.words(content, lang)
        if argument.lower() in ("off", "stop", "0"):
            return self._stop(user_key, said)
        if not private:
            return [Reply(said["private_only"])]
        current = self.subscriptions.get(user_key)
        if current is not None:
            status = said["status"].format(countries=self._names(content, current.countries, lang))
            return [Reply(status, self._country_rows(content, lang, current.countries, said))]
        consent = said["consent"].format(days=self.retention_days)
        return [Reply(consent, ((button(said["agree"], AlertStep("y")), button(said["decline"], AlertStep("n"))),))]

    def on_button(
        self, content: Content, user_key: str, chat_id: int, lang: str, step: AlertStep, private: bool
    ) -> list[Reply]:
        """ "ask" the offer under an answer, "y" agreed, "n" declined, "a" add a country, "off" stop."""
        said = self.words(content, lang)
        action, code = step.step, step.country
        if action == "off":
            return self._stop(user_key, said)
        if not private:
            return [Reply(said["private_only"])]
        if action == "ask":
            return self.on_command(content, user_key, chat_id, lang, "", private)
        if action == "n":
            return [Reply(said["declined"])]
        chosen = self.subscriptions.get(user_key)
        countries = chosen.countries if chosen else ()
        if action == "a" and code in content.countries:
            countries = self.subscriptions.add_country(user_key, chat_id, lang, code).countries
            done = said["subscribed"].format(countries=self._names(content, countries, lang))
            return [
                Reply(
                    f"{done}\n\n{said['stop_hint']}\n\n{said['add_more']}",
                    self._country_rows(content, lang, countries, said),
                )
            ]
        rows = self._country_rows(content, lang, countries, said, stop=chosen is not None)
        return [Reply(said["choose_country"], rows)]

    def with_offer(
        self, content: Content, buttons: tuple[tuple[Button, ...], ...], user_key: str, lang: str
    ) -> tuple[tuple[Button, ...], ...]:
        """Under an answer whose rules differ by country: a way to /alerts, unless subscribed."""
        if self.subscriptions.get(user_key) is not None:
            return buttons
        return (*buttons, (button(self.words(content, lang)["offer"], AlertStep("ask")),))

    def seen(self, user_key: str, lang: str) -> None:
        """Keep a subscription alive while its owner uses the bot (written at most daily)."""
        today = dt.date.today()
        if self._seen.get(user_key) == (today, lang):
            return
        self._seen[user_key] = (today, lang)
        self._seen.move_to_end(user_key)
        while len(self._seen) > MAX_REMEMBERED:
            self._seen.popitem(last=False)
        try:
            self.subscriptions.seen(user_key, lang)
        except Exception as error:  # noqa: BLE001 - a missed stamp must never cost a reply
            log.warning("subscription stamp failed (%s)", type(error).__name__)

    def words(self, content: Content, lang: str) -> dict[str, str]:
        if self._words is None or self._words[0] is not content:
            self._words = (content, load_alert_words(content))
        return self._words[1][lang]

    def _stop(self, user_key: str, said: dict[str, str]) -> list[Reply]:
        return [Reply(said["stopped"] if self.subscriptions.remove(user_key) else said["not_subscribed"])]

    def _country_rows(
        self, content: Content, lang: str, chosen: tuple[str, ...], said: dict[str, str], stop: bool = True
    ) -> tuple[tuple[Button, ...], ...]:
        left = [code for code in content.country_order if code not in chosen]
        rows = [
            tuple(
                button(content.countries[code].names.get(lang, code), AlertStep("a", code))
                for code in left[start : start + 2]
            )
            for start in range(0, len(left), 2)
        ]
        if stop and chosen:
            rows.append((button(said["stop"], STOP),))
        return tuple(rows)

    def _names(self, content: Content, codes: tuple[str, ...], lang: str) -> str:
        countries = content.countries
        return ", ".join(countries[code].names.get(lang, code) if code in countries else code for code in codes)
