"""The `helpline` command: chat, ask, validate, sheet, signoff, purge, run, webhook, report, review, alerts.

With no sub-command it starts the bot: on Telegram when TELEGRAM_BOT_TOKEN is set,
otherwise as a console chat.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.config import DEFAULT_FRAMEWORK, FRAMEWORKS, ConfigError, Settings, load_settings
from content import ContentError
from review.labels import LANGS as REPORT_LANGS


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args)
        settings = load_settings()
        if args.command is None:
            if settings.token:
                return _run(settings, argparse.Namespace(framework=DEFAULT_FRAMEWORK))
            print(
                "helpline: no TELEGRAM_BOT_TOKEN set, starting the console chat. "
                "To run on Telegram, get a token from @BotFather and put it in .env.",
                file=sys.stderr,
            )
            return _chat(settings, argparse.Namespace(user_id=None))
        return args.handler(settings, args)
    except ConfigError as error:
        print(f"helpline: {error}", file=sys.stderr)
        return 2
    except ContentError as error:
        print("helpline: the content has problems, fix them and try again:", file=sys.stderr)
        print(str(error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="helpline",
        description="Helpline bot for labour migrants. With no command: run on Telegram "
        "if TELEGRAM_BOT_TOKEN is set, else chat in the console.",
    )
    sub = parser.add_subparsers(dest="command")

    chat = sub.add_parser("chat", help="talk to the bot in the terminal (no token needed)")
    chat.add_argument("--user-id", type=int, help="act as this user (default: the console user)")
    chat.set_defaults(handler=_chat)

    ask = sub.add_parser("ask", help="answer one message, or one per line from stdin with '-'")
    ask.add_argument("text", help="the message, or - to read one message per line from stdin")
    ask.add_argument(
        "--lang", metavar="LANG", help="answer in this language: a code with its file in content/languages/"
    )
    ask.add_argument("--country", metavar="CC", help="host country code, e.g. RU, KZ, KR, TR, KG")
    ask.add_argument("--user-id", type=int, default=0, help="user id to log under (default 0)")
    ask.add_argument("--json", action="store_true", help="print one JSON object per message")
    ask.set_defaults(handler=_ask)

    validate = sub.add_parser("validate", help="check the content files")
    validate.add_argument("directory", nargs="?", type=Path, help="content folder (default: bundled)")
    validate.add_argument(
        "--unreviewed", action="store_true", help="list language files not yet signed off by a caseworker"
    )

    sheet = sub.add_parser("sheet", help="write the sign-off sheet: one HTML page per language")
    sheet.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for sheet-<lang>.html")
    sheet.add_argument("--lang", action="append", metavar="LANG", help="only this language (may be repeated)")
    sheet.add_argument("--topic", action="append", metavar="ID", help="only this topic (may be repeated)")
    sheet.add_argument(
        "--content", type=Path, metavar="DIR", help="content folder (default: HELPLINE_CONTENT_DIR or the bundled one)"
    )
    sheet.add_argument(
        "--labels",
        choices=REPORT_LANGS,
        default=None,
        help="language of the sheet's own words (default: HELPLINE_REPORT_LANG or en)",
    )
    sheet.set_defaults(handler=_sheet)

    signoff = sub.add_parser("signoff", help="mark a language file reviewed, recording who and when")
    signoff.add_argument("topic", metavar="TOPIC", help="topic id, e.g. registration")
    signoff.add_argument("lang", metavar="LANG", help="language of the file, e.g. ky")
    signoff.add_argument("--by", required=True, metavar="NAME", help="the name of the caseworker who checked it")
    signoff.add_argument(
        "--content", type=Path, metavar="DIR", help="content folder (default: HELPLINE_CONTENT_DIR or the bundled one)"
    )
    signoff.set_defaults(handler=_signoff)

    purge = sub.add_parser("purge", help="delete log rows older than HELPLINE_RETENTION_DAYS now")
    purge.set_defaults(handler=_purge)

    run = sub.add_parser("run", help="run on Telegram with long polling (TELEGRAM_BOT_TOKEN)")
    _framework_option(run)
    run.set_defaults(handler=_run)

    webhook = sub.add_parser("webhook", help="run on Telegram behind a reverse proxy (webhook)")
    _framework_option(webhook)
    webhook.add_argument(
        "--listen",
        required=True,
        type=_listen,
        metavar="HOST:PORT",
        help="where the proxy forwards to, e.g. 127.0.0.1:8443",
    )
    webhook.add_argument(
        "--url",
        required=True,
        type=_public_url,
        metavar="PUBLIC_URL",
        help="the public https:// address of the proxy, e.g. https://bot.example.org",
    )
    webhook.set_defaults(handler=_webhook)

    report = sub.add_parser("report", help="write the weekly review report (one HTML file and CSV tables)")
    _period_options(report)
    report.add_argument(
        "--out",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="folder for the report files (default: the current folder)",
    )
    report.add_argument(
        "--lang", choices=REPORT_LANGS, default=None, help="report language (default: HELPLINE_REPORT_LANG or en)"
    )
    report.set_defaults(handler=_report)

    review = sub.add_parser(
        "review",
        help="assign the week's unanswered questions to topics, then sort the messages answered with the "
        "emergency pointer into danger examples and look-alikes, in the terminal",
    )
    _period_options(review)
    review.add_argument(
        "--limit",
        type=int,
        default=500,
        metavar="N",
        help="review at most N distinct questions, most frequent first (default 500)",
    )
    review.add_argument(
        "--only",
        choices=("unanswered", "pointer"),
        default=None,
        help="run one pass: the unanswered questions, or the messages answered with the emergency pointer",
    )
    review.set_defaults(handler=_review)

    alerts = sub.add_parser("alerts", help="send an alert to its subscribers, or preview it")
    alerts_sub = alerts.add_subparsers(dest="alerts_command", required=True)
    send = alerts_sub.add_parser("send", help="send one alert (content/alerts/ID.yaml); resumes where it stopped")
    send.add_argument("alert_id", metavar="ID")
    _framework_option(send)
    send.add_argument(
        "--resend-uncertain",
        action="store_true",
        help="also send to those a crash left uncertain (they may get a second copy)",
    )
    send.set_defaults(handler=_alerts_send)
    show = alerts_sub.add_parser("preview", help="print every language version as the bot sends it")
    show.add_argument("alert_id", metavar="ID")
    show.set_defaults(handler=_alerts_preview)
    return parser


def _period_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--week", metavar="YYYY-Www", help="ISO week in Asia/Bishkek time, e.g. 2026-W48 (default: the last full week)"
    )
    parser.add_argument("--since", type=_date, metavar="YYYY-MM-DD", help="first day (instead of --week)")
    parser.add_argument("--until", type=_date, metavar="YYYY-MM-DD", help="last day, included")


def _date(value: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-11-23, got {value!r}") from None


def _framework_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--framework",
        choices=FRAMEWORKS,
        default=DEFAULT_FRAMEWORK,
        help="Telegram library (default: ptb; aiogram needs helpline[aiogram])",
    )


def _listen(value: str) -> str:
    from bot.telegram.webhook import parse_listen

    try:
        parse_listen(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


def _public_url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise argparse.ArgumentTypeError(f"expected an https:// address, got {value!r}")
    return value


def _build(settings: Settings):
    from bot.app import build_helpline

    return build_helpline(settings)


def _chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console import CONSOLE_USER_ID, run_console

    helpline = _build(settings)
    run_console(
        helpline.conversation,
        sys.stdin,
        sys.stdout,
        user_id=args.user_id if args.user_id is not None else CONSOLE_USER_ID,
        prompt=sys.stdin.isatty(),
    )
    helpline.querylog.flush()
    return 0


def _ask(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.replies import Incoming

    country = args.country.upper() if args.country else None
    helpline = _build(settings)
    if country and country not in helpline.conversation.knowledge.content.countries:
        known = ", ".join(helpline.conversation.knowledge.content.country_order)
        print(f"helpline: unknown country {args.country!r}; known: {known}", file=sys.stderr)
        return 2
    if args.lang and args.lang not in helpline.conversation.knowledge.content.languages:
        known = ", ".join(helpline.conversation.knowledge.content.languages)
        print(f"helpline: unknown language {args.lang!r}; known: {known}", file=sys.stderr)
        return 2
    messages: Iterable[str] = (line.rstrip("\n") for line in sys.stdin) if args.text == "-" else [args.text]
    for message in messages:
        outcome = helpline.conversation.handle(
            Incoming(
                args.user_id,
                message,
                force_lang=args.lang,
                force_country=country,
                interactive=False,
            )
        )
        text = "\n\n".join(reply.plain for reply in outcome.replies)
        if args.json:
            print(
                json.dumps(
                    {
                        "intent": outcome.topic,
                        "confidence": round(outcome.confidence, 4),
                        "lang": outcome.lang,
                        "text": text,
                        "sources": list(outcome.sources),
                        "suggestions": list(outcome.suggestions),
                    },
                    ensure_ascii=False,
                ),
                flush=True,
            )
        else:
            print(text + "\n", flush=True)
    helpline.querylog.flush()
    return 0


def _validate(args: argparse.Namespace) -> int:
    from content.library import check_content
    from content.validation import overdue_reviews

    content, problems = check_content(args.directory)
    for problem in problems:
        print(problem)
    if problems or content is None:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    for warning in overdue_reviews(content):
        print(warning)
    if args.unreviewed:
        for path in content.unreviewed():
            print(f"{path}: not reviewed yet")
    print(f"content OK: {len(content.topics)} topics in {', '.join(content.languages)}.", file=sys.stderr)
    return 0


def _sheet(settings: Settings, args: argparse.Namespace) -> int:
    from bot.sheet import write_sheets
    from content import load_content
    from content.validation import caseworkers_today
    from handlers.knowledge import build_knowledge

    content = load_content(args.content or settings.content_dir)
    unknown = [lang for lang in args.lang or [] if lang not in content.languages]
    unknown += [topic for topic in args.topic or [] if topic not in content.topics]
    if unknown:
        print(f"helpline: unknown language or topic: {', '.join(unknown)}", file=sys.stderr)
        return 2
    knowledge = build_knowledge(content, cache_dir=settings.model_cache)
    labels = args.labels or settings.report_lang
    for path in write_sheets(knowledge, args.out, caseworkers_today(), args.lang, args.topic, labels):
        print(path)
    return 0


def _signoff(settings: Settings, args: argparse.Namespace) -> int:
    from content.library import DEFAULT_DIR, check_content
    from content.signoff import SignOffError, sign_off
    from content.validation import caseworkers_today

    root = args.content or settings.content_dir or DEFAULT_DIR
    path = root / "topics" / args.topic / f"{args.lang}.yaml"
    if not path.is_file():
        print(f"helpline: no file {path}: check the topic id and the language", file=sys.stderr)
        return 2
    _, problems = check_content(root)
    own = [problem for problem in problems if problem.path == path]
    if own:
        print("helpline: fix this file before signing it off:", file=sys.stderr)
        for problem in own:
            print(problem, file=sys.stderr)
        return 1
    today = caseworkers_today()
    try:
        sign_off(path, args.by, today)
    except SignOffError as error:
        print(f"helpline: {error}", file=sys.stderr)
        return 1
    print(f"{path}: reviewed by {' '.join(args.by.split())} on {today.isoformat()}")
    return 0


def _purge(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import purge_expired
    from storage.pseudonym import Pseudonymizer, load_or_create_key

    pseudonymizer = Pseudonymizer(load_or_create_key(settings.hash_key, settings.data_dir))
    removed = purge_expired(settings, pseudonymizer)
    print(f"purged {removed} log row(s) older than {settings.retention_days} days")
    return 0


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.telegram import run_polling

    if not _has_token(settings):
        return 2
    return run_polling(settings, args.framework, _build(settings))


def _webhook(settings: Settings, args: argparse.Namespace) -> int:
    from bot.telegram import run_webhook

    if not _has_token(settings):
        return 2
    return run_webhook(settings, args.framework, _build(settings), args.listen, args.url)


def _chosen_period(args: argparse.Namespace):
    from review.period import choose_period

    try:
        return choose_period(args.week, args.since, args.until)
    except ValueError as error:
        print(f"helpline: {error}", file=sys.stderr)
        return None


def _report(settings: Settings, args: argparse.Namespace) -> int:
    from review.report import build_report, write_report
    from review.weekly import headline_summary

    period = _chosen_period(args)
    if period is None:
        return 2
    report = build_report(
        settings.database_path,
        period,
        content_dir=settings.content_dir,
        lang=args.lang or settings.report_lang,
        model_cache=settings.model_cache,
    )
    written = write_report(report, args.out)
    print(headline_summary(report))
    print(f"\nreport: {written[0]}")
    print(f"tables: {len(written) - 1} CSV file(s) beside it")
    return 0


def _review(settings: Settings, args: argparse.Namespace) -> int:
    from review.loop import PASSES, run_review

    period = _chosen_period(args)
    if period is None:
        return 2
    return run_review(
        settings.database_path,
        period,
        sys.stdin,
        sys.stdout,
        content_dir=settings.content_dir,
        limit=args.limit,
        model_cache=settings.model_cache,
        passes=(args.only,) if args.only else PASSES,
    )


def _alerts_preview(settings: Settings, args: argparse.Namespace) -> int:
    from bot.alerts import preview
    from content import load_content
    from storage.pseudonym import Pseudonymizer, load_or_create_key

    pseudonymizer = Pseudonymizer(load_or_create_key(settings.hash_key, settings.data_dir))
    preview(load_content(settings.content_dir), args.alert_id, settings.database_path, pseudonymizer, sys.stdout)
    return 0


def _alerts_send(settings: Settings, args: argparse.Namespace) -> int:
    import asyncio

    from bot.alerts import RunBusy, send_from_cli
    from content import load_content
    from content.alerts import load_alert
    from storage.pseudonym import Pseudonymizer, load_or_create_key

    if not _has_token(settings):
        return 2
    content = load_content(settings.content_dir)
    alert = load_alert(content, args.alert_id)
    pseudonymizer = Pseudonymizer(load_or_create_key(settings.hash_key, settings.data_dir))
    try:
        progress = asyncio.run(
            send_from_cli(settings, args.framework, content, alert, pseudonymizer, args.resend_uncertain, sys.stderr)
        )
    except RunBusy:
        print(f"helpline: alert {alert.id} is being sent by another process right now", file=sys.stderr)
        return 1
    print(progress.line())
    if progress.left:
        print(f"stopped early; run `helpline alerts send {alert.id}` again to go on", file=sys.stderr)
        return 1
    return 0


def _has_token(settings: Settings) -> bool:
    if settings.token:
        return True
    print(
        "helpline: no TELEGRAM_BOT_TOKEN set.\n"
        "  To run on Telegram: open @BotFather in Telegram, send /newbot, and put the token\n"
        "  it gives you in .env as TELEGRAM_BOT_TOKEN=123456:ABC-DEF...\n"
        "  To try the bot without Telegram: helpline chat",
        file=sys.stderr,
    )
    return False


if __name__ == "__main__":
    raise SystemExit(main())
