"""The sign-off sheet's own words, in the languages of the caseworkers' documents (en, ru).

The answers on the sheet are in the page's language; these are the words around them,
chosen like the weekly report's with HELPLINE_REPORT_LANG or `helpline sheet --labels`.
A noun after a number lists its forms, as in review/labels.py (content/plural.py).
"""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Sign-off sheet",
        "made": "Made {date}. {topics} {topics:topic|topics}, {reviewed} signed off, {overdue} past their review date.",
        "intro": "Each answer below is what the bot sends, for the host countries named above it; on the right,"
        " the report paragraphs it cites (French text of Kyrgyzstan's report to the UN Committee on"
        " Migrant Workers). When the answers of a topic are right, run the command shown under it.",
        "overdue_short": "review date passed",
        "file": "file",
        "reviewed": "reviewed",
        "overdue_long": "passed: re-check this answer and set a new date in topic.yaml",
        "yes": "yes",
        "no": "no",
        "by_on": "by {by} on {on}",
        "last_signed": "last signed off by {by} on {on}",
        "sign_off": "sign off",
        "sign_off_again": "sign off again",
        "update": "dated update",
        "shown_in": "shown in",
        "source": "source",
        "checked": "checked",
        "all_answers": "all answers",
        "no_updates": "No dated updates: everything in this answer comes from the report.",
        "general_answer": "general answer",
        "variant": "variant {variant}",
        "shown_for": "shown for",
        "no_country": "no country chosen",
        "no_paragraph": "This answer cites no paragraph of the report.",
        "written": "This topic's button sends what is shown above, not the answer written in the file."
        " The file's answer reads:",
    },
    "ru": {
        "title": "Лист проверки ответов",
        "made": "Составлен {date}. Тем: {topics}, подписано: {reviewed}, срок проверки истёк: {overdue}.",
        "intro": "Каждый ответ ниже показан так, как его отправляет бот, для стран, указанных над ним; справа —"
        " абзацы доклада, на которые он ссылается (французский текст доклада Кыргызстана Комитету ООН"
        " по трудящимся-мигрантам). Если ответы темы верны, выполните команду, указанную под ней.",
        "overdue_short": "срок проверки истёк",
        "file": "файл",
        "reviewed": "проверено",
        "overdue_long": "срок истёк: проверьте ответ и поставьте новую дату в topic.yaml",
        "yes": "да",
        "no": "нет",
        "by_on": "{by}, {on}",
        "last_signed": "последняя подпись: {by}, {on}",
        "sign_off": "подписать",
        "sign_off_again": "подписать заново",
        "update": "обновление",
        "shown_in": "где показано",
        "source": "источник",
        "checked": "проверено",
        "all_answers": "во всех ответах",
        "no_updates": "Обновлений нет: всё в этом ответе взято из доклада.",
        "general_answer": "общий ответ",
        "variant": "вариант {variant}",
        "shown_for": "для",
        "no_country": "страна не выбрана",
        "no_paragraph": "Этот ответ не ссылается на абзацы доклада.",
        "written": "Кнопка этой темы отправляет то, что показано выше, а не ответ, записанный в файле. Ответ из файла:",
    },
}
