"""The report's words in English and Russian, and number and date formats for each.

Caseworkers read Russian first; English is for partners and donors. Kept as plain data
so a translator can work on it without reading the code. A noun after a number lists its
forms after the number's name, `{messages:сообщение|сообщения|сообщений}` (Russian: one,
few, many; English: one, other), and `say` picks the one that agrees (content/plural.py).
"""

from __future__ import annotations

import datetime as dt

from content.plural import format_counts

LANGS = ("en", "ru")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Helpline weekly review",
        "period": "Period",
        "compared": "compared with",
        "generated": "Generated",
        "no_traffic": "No messages were logged in this period.",
        "empty_db": "The log is empty: the bot has not recorded any message yet.",
        "headline": "At a glance",
        "messages": "Messages",
        "users": "People (pseudonymous)",
        "new_users": "New",
        "returning_users": "Returning",
        "fallback_rate": "Not understood",
        "danger_answers": "Danger answers",
        "handoffs": "Hand-offs asked",
        "latency_p95": "Reply time p95",
        "traffic": "Traffic",
        "per_day": "Messages per day",
        "per_hour": "Messages per hour of day (Bishkek time)",
        "day": "Day",
        "hour": "Hour",
        "this_period": "This period",
        "previous_period": "Previous period",
        "change": "Change",
        "share": "Share",
        "who": "Who wrote",
        "by_lang": "By language",
        "by_country": "By host country",
        "by_entry": "By way in",
        "language": "Language",
        "country": "Country",
        "entry": "Way in",
        "unknown": "unknown",
        "topics": "Topics, most asked first",
        "topic": "Topic",
        "no_topics": "No message was answered with a topic.",
        "unanswered": "Questions the bot did not understand",
        "fallback_line": "{fallbacks} of {text} free-text {text:message|messages} got no topic ({rate}).",
        "groups_note": "Similar questions are grouped. Showing the {shown} most frequent distinct {shown:text|texts} "
        "of {total}.",
        "group": "Group",
        "questions": "Questions (redacted)",
        "times": "Times",
        "closest": "Closest topic",
        "confidence": "Confidence",
        "off_topic_hint": "router says off-topic",
        "none_unanswered": "Every free-text question got a topic.",
        "review_hint": "Turn these into routing examples with: helpline review {week}",
        "feedback": "Feedback",
        "helpful": "👍",
        "unhelpful": "👎",
        "helpful_share": "Helpful",
        "least_helpful": "Least helpful topics (at least {n} {n:rating|ratings})",
        "no_feedback": "No ratings in this period.",
        "safety": "Safety",
        "danger_by_kind": "Danger answers given (emergency, trafficking…)",
        "kind": "Kind",
        "no_danger": "No danger answers in this period.",
        "near_danger": "Close to danger: answered with the emergency pointer",
        "pointer_line": "{shown} {shown:answer|answers} ended with the line to the emergency contacts; "
        "its 🆘 button was pressed under {pressed} of them.",
        "pointer_hint": "For reviewers: in content/danger.yaml, add the real danger among these to the examples "
        "of its kind, and the ordinary questions to look_alikes.",
        "messages_redacted": "Messages (redacted)",
        "pressed": "🆘 pressed",
        "near_kind": "Close to",
        "answered_with": "Answered with",
        "no_pointer": "No answer ended with the emergency pointer in this period.",
        "more_pointer_groups": "{n} smaller {n:group is|groups are} in helpline-report-{file}-near_danger.csv.",
        "handoffs_asked": "Hand-offs to a caseworker asked for",
        "handoffs_answered": "Answered by a caseworker",
        "handoffs_urgent": "Urgent",
        "handoffs_closed": "Tickets closed",
        "handoffs_stale": "Still open after 24 h (at the period's end)",
        "median_first_reply": "Median time to first reply",
        "minutes": "min",
        "rising": "Rising terms",
        "rising_note": "Words and phrases used far more often than in the previous {n} {n:period|periods}.",
        "term": "Term",
        "baseline": "Usual per period",
        "ratio": "× usual",
        "no_rising": "No term rose sharply.",
        "no_history": "Not enough history to compare with.",
        "health": "Bot health",
        "latency_p50": "Reply time p50",
        "errors": "Errors",
        "send_failures": "Replies Telegram refused or that were given up",
        "log_failures": "Failed log writes",
        "unreadable_updates": "Updates no library could read",
        "offered_again": "Answers offered again after a restart",
        "database_replaced": "Database file recreated",
        "ms": "ms",
        "content_health": "Content health",
        "unreviewed": "Language files not yet reviewed (reviewed: false)",
        "overdue": "Answers past their review date",
        "review_by": "Review by",
        "content_ok": "All content is reviewed and within its review date.",
        "content_problems": "The content has {n} {n:problem|problems}: run helpline validate.",
        "content_missing": "The content could not be read: {error}",
        "file": "File",
        "privacy": "Texts are redacted before they are stored; people are counted by pseudonym only.",
        "new": "new",
        "pp": "pp",
        "total": "Total",
        "more_texts": "and {n} more",
        "more_groups": "{n} smaller {n:group is|groups are} in helpline-report-{file}-unanswered.csv.",
        "entry_text": "free text",
        "entry_menu": "menu",
        "entry_deeplink": "deep link",
        "entry_command": "command",
        "entry_button": "button",
        "entry_media": "photo, voice or file",
        "entry_pointer": "🆘 button under an answer",
        "summary_title": "Helpline {label} ({dates})",
        "summary_title_range": "Helpline {dates}",
        "summary_messages": "{messages} {messages:message|messages} ({change}), {users} {users:person|people} "
        "({new} new).",
        "summary_fallback": "Not understood: {rate} ({change}).",
        "summary_safety": "Danger answers: {danger}. Hand-offs: {asked} asked, {answered} answered, "
        "median first reply {median}.",
        "summary_topics": "Most asked: {topics}.",
        "summary_empty": "No messages in this period.",
        "summary_rising": "Rising: {terms}.",
        "summary_pointer": "Close to danger: {shown} {shown:answer|answers} with the emergency pointer, its 🆘 button "
        "pressed under "
        "{pressed}.",
    },
    "ru": {
        "title": "Горячая линия: обзор недели",
        "period": "Период",
        "compared": "в сравнении с",
        "generated": "Создан",
        "no_traffic": "За этот период не записано ни одного сообщения.",
        "empty_db": "Журнал пуст: бот ещё не записал ни одного сообщения.",
        "headline": "Коротко",
        "messages": "Сообщения",
        "users": "Люди (псевдонимы)",
        "new_users": "Новые",
        "returning_users": "Вернувшиеся",
        "fallback_rate": "Не понято",
        "danger_answers": "Ответы об опасности",
        "handoffs": "Запросы к консультанту",
        "latency_p95": "Время ответа p95",
        "traffic": "Поток сообщений",
        "per_day": "Сообщения по дням",
        "per_hour": "Сообщения по часам (время Бишкека)",
        "day": "День",
        "hour": "Час",
        "this_period": "Этот период",
        "previous_period": "Прошлый период",
        "change": "Изменение",
        "share": "Доля",
        "who": "Кто писал",
        "by_lang": "По языку",
        "by_country": "По стране пребывания",
        "by_entry": "По способу обращения",
        "language": "Язык",
        "country": "Страна",
        "entry": "Способ",
        "unknown": "неизвестно",
        "topics": "Темы, самые частые сверху",
        "topic": "Тема",
        "no_topics": "Ни на одно сообщение не был дан ответ по теме.",
        "unanswered": "Вопросы, которые бот не понял",
        "fallback_line": "Без темы осталось {fallbacks} из {text} "
        "{text:текстового сообщения|текстовых сообщений|текстовых сообщений} ({rate}).",
        "groups_note": "Похожие вопросы сгруппированы. Показаны самые частые разные тексты: {shown} из {total}.",
        "group": "Группа",
        "questions": "Вопросы (обезличены)",
        "times": "Раз",
        "closest": "Ближайшая тема",
        "confidence": "Уверенность",
        "off_topic_hint": "по мнению бота — не по теме",
        "none_unanswered": "Каждый текстовый вопрос получил тему.",
        "review_hint": "Превратите их в примеры для распознавания: helpline review {week}",
        "feedback": "Оценки",
        "helpful": "👍",
        "unhelpful": "👎",
        "helpful_share": "Полезно",
        "least_helpful": "Наименее полезные темы (не меньше {n} {n:оценки|оценок|оценок})",
        "no_feedback": "В этом периоде оценок нет.",
        "safety": "Безопасность",
        "danger_by_kind": "Ответы об опасности (экстренная помощь, торговля людьми…)",
        "kind": "Вид",
        "no_danger": "В этом периоде ответов об опасности не было.",
        "near_danger": "Близко к опасности: ответы со ссылкой на экстренную помощь",
        "pointer_line": "Ответов, закончившихся строкой со ссылкой на экстренную помощь: {shown}; "
        "из них кнопку 🆘 под этой строкой нажали: {pressed}.",
        "pointer_hint": "Для проверяющих: в content/danger.yaml настоящую опасность из этого списка добавьте "
        "в examples её вида, а обычные вопросы — в look_alikes.",
        "messages_redacted": "Сообщения (обезличены)",
        "pressed": "Нажали 🆘",
        "near_kind": "Близко к",
        "answered_with": "Ответ по теме",
        "no_pointer": "В этом периоде ни один ответ не закончился ссылкой на экстренную помощь.",
        "more_pointer_groups": "Ещё {n} {n:небольшая группа|небольшие группы|небольших групп} — в файле "
        "helpline-report-{file}-near_danger.csv.",
        "handoffs_asked": "Запросы на связь с консультантом",
        "handoffs_answered": "Консультант ответил",
        "handoffs_urgent": "Срочные",
        "handoffs_closed": "Заявок закрыто",
        "handoffs_stale": "Открыты дольше 24 ч (на конец периода)",
        "median_first_reply": "Медиана времени до первого ответа",
        "minutes": "мин",
        "rising": "Растущие слова",
        "rising_note": "Слова и фразы, которые встречаются намного чаще, чем за {n:прошлый|прошлые|прошлые} {n} "
        "{n:период|периода|периодов}.",
        "term": "Слово",
        "baseline": "Обычно за период",
        "ratio": "× к обычному",
        "no_rising": "Резкого роста ни одного слова нет.",
        "no_history": "Недостаточно истории для сравнения.",
        "health": "Работа бота",
        "latency_p50": "Время ответа p50",
        "errors": "Ошибки",
        "send_failures": "Ответы, не принятые Telegram или не доставленные",
        "log_failures": "Сбои записи журнала",
        "unreadable_updates": "Нечитаемые обновления",
        "offered_again": "Ответы, предложенные повторно после перезапуска",
        "database_replaced": "Пересоздания файла базы данных",
        "ms": "мс",
        "content_health": "Состояние текстов",
        "unreviewed": "Языковые файлы без проверки (reviewed: false)",
        "overdue": "Ответы с истёкшим сроком проверки",
        "review_by": "Проверить до",
        "content_ok": "Все тексты проверены, сроки проверки не истекли.",
        "content_problems": "В текстах {n} {n:ошибка|ошибки|ошибок}: запустите helpline validate.",
        "content_missing": "Не удалось прочитать тексты: {error}",
        "file": "Файл",
        "privacy": "Тексты обезличиваются до записи; люди учитываются только по псевдонимам.",
        "new": "новое",
        "pp": "п. п.",
        "total": "Всего",
        "more_texts": "и ещё {n}",
        "more_groups": "Ещё {n} {n:небольшая группа|небольшие группы|небольших групп} — в файле "
        "helpline-report-{file}-unanswered.csv.",
        "entry_text": "текст",
        "entry_menu": "меню",
        "entry_deeplink": "ссылка",
        "entry_command": "команда",
        "entry_button": "кнопка",
        "entry_media": "фото, голос или файл",
        "entry_pointer": "кнопка 🆘 под ответом",
        "summary_title": "Горячая линия {label} ({dates})",
        "summary_title_range": "Горячая линия {dates}",
        "summary_messages": "{messages} {messages:сообщение|сообщения|сообщений} ({change}), "
        "{users} {users:человек|человека|человек} ({new} {new:новый|новых|новых}).",
        "summary_fallback": "Не понято: {rate} ({change}).",
        "summary_safety": "Ответы об опасности: {danger}. Запросы к консультанту: {asked}, отвечено {answered}, "
        "медиана первого ответа {median}.",
        "summary_topics": "Чаще всего: {topics}.",
        "summary_empty": "В этом периоде сообщений нет.",
        "summary_rising": "Растут: {terms}.",
        "summary_pointer": "Близко к опасности: ответов со ссылкой на экстренную помощь — {shown}, из них кнопку 🆘 "
        "нажали — {pressed}.",
    },
}

WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "ru": ("пн", "вт", "ср", "чт", "пт", "сб", "вс"),
}
MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "ru": ("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
}


def say(template: str, lang: str, /, **values: object) -> str:
    """A label filled in: its nouns agree with their numbers, whole numbers are written the
    language's way, and any other value (a date, a percentage already written) as it is."""
    return format_counts(template, lang, lambda value: number(value, lang), **values)


def number(value: float | int | None, lang: str, decimals: int = 0) -> str:
    """1,234.5 in English, 1 234,5 in Russian (non-breaking space)."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    if lang == "ru":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def percent(value: float | None, lang: str, decimals: int = 1) -> str:
    if value is None:
        return "—"
    return number(value * 100, lang, decimals) + ("\u00a0%" if lang == "ru" else "%")


def short_date(day: dt.date, lang: str, weekday: bool = True) -> str:
    text = f"{day.day} {MONTHS[lang][day.month - 1]}"
    return f"{WEEKDAYS[lang][day.weekday()]} {text}" if weekday else text


def date_range(first: dt.date, last: dt.date, lang: str) -> str:
    """ "1 – 30 Nov 2026", "28 Nov – 4 Dec 2026", "28 Dec 2026 – 3 Jan 2027": each part said once."""
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day} – {short_date(last, lang, False)} {last.year}"
    if first.year == last.year:
        return f"{short_date(first, lang, False)} – {short_date(last, lang, False)} {last.year}"
    return f"{short_date(first, lang, False)} {first.year} – {short_date(last, lang, False)} {last.year}"
