"""Button layouts: the topic menu, language and country choices, buttons under answers."""

from __future__ import annotations

from content import Content, Topic
from content.library import CONVERSATION_MENU
from handlers.actions import (
    AskHuman,
    ChooseCountry,
    ChooseLanguage,
    OpenTopic,
    RateAnswer,
    ShowGroup,
    ShowMenu,
    button,
)
from handlers.replies import Button, Reply

PAGE_SIZE = 6


class Menus:
    def __init__(self, content: Content) -> None:
        self.content = content

    def _button(self, lang: str, key: str) -> str:
        return str(self.content.ui[lang]["buttons"][key])

    def main(self, lang: str, before: str | None = None) -> Reply:
        """The topic groups of the catalogue, one per row."""
        groups = self.content.ui[lang]["menu_groups"]
        rows = tuple(
            (button(str(title), ShowGroup(group)),)
            for group, title in groups.items()
            if self.content.menu_topics(group)
        )
        prompt = str(self.content.ui[lang]["menu_prompt"]).strip()
        return Reply(f"{before}\n\n{prompt}" if before else prompt, rows)

    def group(self, lang: str, group: str, page: int) -> Reply:
        """The topics of one group, a page at a time, with paging and a way back."""
        topics = self.content.menu_topics(group)
        if not topics or group == CONVERSATION_MENU:
            return self.main(lang)
        pages = max(1, -(-len(topics) // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        shown = topics[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        rows: list[tuple[Button, ...]] = [
            (button(self.content.title(topic, lang), OpenTopic(topic)),) for topic in shown
        ]
        paging: list[Button] = []
        if page > 0:
            paging.append(button(self._button(lang, "previous"), ShowGroup(group, page - 1)))
        if page < pages - 1:
            paging.append(button(self._button(lang, "next"), ShowGroup(group, page + 1)))
        if paging:
            rows.append(tuple(paging))
        rows.append((button(self._button(lang, "back"), ShowMenu()),))
        title = str(self.content.ui[lang]["menu_groups"].get(group, group))
        suffix = f" ({page + 1}/{pages})" if pages > 1 else ""
        return Reply(title + suffix, tuple(rows))

    def languages(self) -> Reply:
        ui = self.content.ui
        first = ui[self.content.languages[0]]
        row = tuple(button(str(ui[lang]["language_name"]), ChooseLanguage(lang)) for lang in self.content.languages)
        return Reply(str(first["choose_language"]).strip(), (row,))

    def countries(self, lang: str, question: str, topic_id: str | None) -> Reply:
        buttons = [
            button(country.names.get(lang, code), ChooseCountry(code, topic_id or ""))
            for code in self.content.country_order
            for country in (self.content.countries[code],)
        ]
        rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
        return Reply(question, rows)

    def suggestions(self, lang: str, topics: tuple[str, ...], hotline: str | None) -> tuple[tuple[Button, ...], ...]:
        """The topics offered when the bot is not sure, then the hotline topic, in this order."""
        rows = [(button(self.content.title(topic, lang), OpenTopic(topic)),) for topic in topics]
        if hotline in self.content.topics:
            rows.append((button(self._button(lang, "hotline"), OpenTopic(hotline)),))
        return tuple(rows)

    def footer(self, lang: str) -> tuple[tuple[Button, ...], ...]:
        return ((button(self._button(lang, "menu"), ShowMenu()), button(self._button(lang, "human"), AskHuman())),)

    def answer_buttons(self, lang: str, topic: Topic) -> tuple[tuple[Button, ...], ...]:
        """Under an answer: rate it, related topics, the menu and a caseworker."""
        rows: list[tuple[Button, ...]] = []
        if topic.menu != CONVERSATION_MENU:
            rows.append(
                (
                    button(self._button(lang, "helpful"), RateAnswer(True, topic.id)),
                    button(self._button(lang, "not_helpful"), RateAnswer(False, topic.id)),
                )
            )
        for related in topic.related[:3]:
            if related in self.content.topics:
                rows.append((button(self.content.title(related, lang), OpenTopic(related)),))
        rows.extend(self.footer(lang))
        return tuple(rows)
