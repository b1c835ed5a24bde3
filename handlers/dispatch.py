"""Dispatch: which answer a message, command or button press gets.

Caseworkers' messages are relayed; a button is unpacked into its action and dispatched on
its type; a command by name; free text is read for danger first, then relayed to an open
ticket; a bare reply («не знаю», "ok", «рахмат») is never routed; anything else is taken as
the answer to what the bot just asked, else routed to a topic.
"""

from __future__ import annotations

from handlers import answers
from handlers.actions import (
    NAVIGATION,
    Action,
    AlertStep,
    AnswerAgain,
    AskHuman,
    ChooseCountry,
    ChooseLanguage,
    Consent,
    FollowPointer,
    OpenTopic,
    RateAnswer,
    RateTicket,
    ShowGroup,
    ShowMenu,
    owner_tag,
    unpack,
)
from handlers.replies import Outcome, Reply
from handlers.session import Event
from handlers.turn import Turn
from handlers.understanding.danger import Danger
from storage.querylog import FeedbackRecord
from storage.redaction import redact

MAX_INPUT = 4000  # longer messages are read up to here


def dispatch(turn: Turn) -> Outcome:
    incoming = turn.incoming
    handoff = turn.handoff
    if handoff is not None and handoff.is_caseworker_chat(incoming):
        turn.entry = None  # caseworkers' messages are relayed, never logged
        command, _, argument = incoming.text.strip().partition(" ")
        command = command.split("@", 1)[0].lower()
        if incoming.button is None and command in ("/send", "/topics"):
            return answers.desk_command(turn, command, argument.strip())
        return Outcome([], turn.lang, forwards=handoff.from_caseworkers(incoming, turn.content.ui))
    if incoming.button is not None:
        return on_button(turn, incoming.button)
    if not incoming.private and not incoming.addressed:
        turn.entry = None
        return Outcome([], turn.lang)
    if incoming.kind != "text":
        turn.entry = "media"
        turn.logged_text = f"[{incoming.kind}]"
        return turn.outcome([Reply(turn.ui("non_text"))])
    text = incoming.text.strip()
    if text.startswith("/"):
        return on_command(turn, text)
    return on_text(turn, text)


def on_command(turn: Turn, text: str) -> Outcome:
    turn.entry = "command"
    command, _, argument = text[1:].partition(" ")
    command = command.split("@", 1)[0].lower()
    argument = argument.strip()
    turn.logged_text = f"/{command}"
    if command == "country":
        return turn.outcome([turn.menus.countries(turn.lang, turn.ui("ask_country"), None)])
    turn.fire(Event.RESET)
    if command == "start":
        if argument in turn.content.topics:
            turn.entry = "deeplink"
            turn.logged_text = f"/start {argument}"
            return answers.answer_topic(turn, argument, "")
        return answers.greeting(turn)
    if command in ("help", "topics", "menu"):
        return turn.outcome([turn.menus.main(turn.lang)])
    if command == "language":
        return turn.outcome([turn.menus.languages()])
    if command == "about":
        return turn.outcome([Reply(turn.ui("about"), turn.menus.footer(turn.lang))])
    if command == "human":
        return answers.request_handoff(turn)
    if command == "close":
        return answers.close_ticket(turn)
    alerts = turn.services.alerts
    if command == "alerts" and alerts is not None:
        return turn.outcome(
            alerts.on_command(
                turn.content, turn.profile.user_key, turn.incoming.chat, turn.lang, argument, turn.incoming.private
            )
        )
    return turn.outcome([Reply(turn.ui("unknown_command"), turn.menus.footer(turn.lang))])


def on_button(turn: Turn, data: str) -> Outcome:
    action = unpack(data)
    if action is None:
        # Not one of ours (an older version, a tampered client): never stored as typed.
        turn.entry = "button"
        turn.logged_text = redact(data, tuple(turn.content.words.values()))
        return turn.outcome([turn.menus.main(turn.lang)])
    turn.entry = "menu" if isinstance(action, (OpenTopic, *NAVIGATION)) else "button"
    turn.logged_text = action.pack()
    return on_action(turn, action)


def on_action(turn: Turn, action: Action) -> Outcome:
    """The one place a pressed button becomes an answer."""
    content = turn.content
    match action:
        case OpenTopic(topic=topic) if topic in content.topics:
            return answers.answer_topic(turn, topic, "")
        case FollowPointer(topic=topic, ref=ref) if topic in content.topics:
            # Logged so the press counts for the message its line was shown with; the tag has
            # its own column (in the text the redactor would take its digits for a number).
            turn.entry, turn.pointer_ref, turn.logged_text = "pointer", ref, f"{action.prefix}:{topic}"
            return answers.answer_topic(turn, topic, "")
        case ShowGroup(group=group, page=page):
            return turn.outcome([turn.menus.group(turn.lang, group, page or 0)])
        case ChooseLanguage(lang=lang) if lang in content.languages:
            turn.switch_language(lang)
            return turn.outcome([turn.menus.main(lang, turn.ui("language_saved"))])
        case ChooseCountry(country=code, topic=topic) if code in content.countries:
            waiting = turn.session.question if turn.session.topic == topic else ""
            return answers.choose_country(turn, code, topic, waiting)
        case ChooseCountry():
            return turn.outcome([turn.menus.countries(turn.lang, turn.ui("ask_country"), None)])
        case RateAnswer(helpful=helpful, topic=topic):
            turn.entry = None  # a rating is logged in its own table
            if topic in content.topics:
                turn.services.querylog.record_feedback(FeedbackRecord(turn.profile.user_key, topic, helpful, turn.lang))
            return turn.outcome([Reply(turn.ui("feedback_thanks"))], topic=topic if topic in content.topics else None)
        case AskHuman():
            return answers.request_handoff(turn)
        case Consent(agreed=agreed, owner=owner) if turn.handoff is not None:
            if owner != owner_tag(turn.profile.user_key):
                return answers.not_yours(turn)
            return answers.consent(turn, agreed)
        case RateTicket(ticket=ticket, stars=stars) if turn.handoff is not None:
            turn.entry = None
            turn.handoff.rate(turn.profile.user_key, ticket, stars)
            return turn.outcome([Reply(turn.ui("feedback_thanks"))])
        case AlertStep() if turn.services.alerts is not None:
            return turn.outcome(
                turn.services.alerts.on_button(
                    turn.content, turn.profile.user_key, turn.incoming.chat, turn.lang, action, turn.incoming.private
                )
            )
        case AnswerAgain():
            return turn.outcome([Reply(turn.ui("again_gone"), turn.menus.footer(turn.lang))])
        case ShowMenu() | _:
            # The menu, or a button whose topic or language no longer exists: the current menu.
            return turn.outcome([turn.menus.main(turn.lang)])


def on_text(turn: Turn, text: str) -> Outcome:
    turn.logged_text = text[:MAX_INPUT]
    if not text:
        return turn.outcome([Reply(turn.ui("empty_message"))])
    notes: list[Reply] = []
    if len(text) > MAX_INPUT:
        text = text[:MAX_INPUT]
        notes.append(Reply(turn.ui("too_long")))
    # One-shot answers (`helpline ask`) have no "what the bot just asked": each line stands alone.
    remembering = turn.incoming.interactive
    awaited = remembering and turn.session.awaits_answer() and len(text.split()) <= answers.BARE_WORDS
    bare = turn.knowledge.bare.read(text)
    if bare is None:
        detected = turn.knowledge.detector.detect(text)
    else:  # "да" or "ok" says little about the language: only a first «жок» tells Kyrgyz
        detected = bare.language if turn.profile.lang is None else None
    if detected and detected != turn.lang and not turn.incoming.force_lang and not awaited:
        turn.switch_language(detected)  # a bare "Россия" or "3 ноября" says little about the language
    assessed = turn.knowledge.danger.assess(text, read_model=bare is None)
    danger = assessed.danger
    if danger is not None:
        turn.session.in_danger = True
    handoff = turn.handoff
    ticket = handoff.open_ticket(turn.profile.user_key) if handoff is not None and turn.incoming.private else None
    if ticket is not None:
        return answers.relay_to_caseworker(turn, ticket, text, danger, notes)
    if bare is not None and danger is None:
        outcome = answers.bare_reply(turn, bare)  # "не знаю", "ок", "рахмат": never a topic's answer
    else:
        outcome = routed(turn, text, danger, assessed.near)
    if not turn.incoming.private:
        notes.append(Reply(turn.ui("group_chat")))
    outcome.replies.extend(notes)
    return outcome


def routed(turn: Turn, text: str, danger: Danger | None, near: Danger | None) -> Outcome:
    """A question: the answer to what the bot just asked, else the router's topic."""
    route = turn.knowledge.router.route(text)
    followed = answers.follow_up(turn, text, route) if danger is None and turn.incoming.interactive else None
    if followed is not None:
        outcome = followed  # answered from context, not routed: logged without a confidence
    else:
        turn.routed = True
        role = turn.role(route.topic)
        if danger is not None:
            outcome = answers.answer_danger(turn, danger, route.topic, text)
        elif route.topic is None:
            outcome = answers.not_sure(turn, route)
        elif role == "change_language":
            outcome = answers.change_language(turn, text)
        elif role == "human_handoff":
            outcome = answers.request_handoff(turn)
        else:
            outcome = answers.answer_topic(turn, route.topic, text)
        outcome.confidence = route.confidence
    if near is not None and followed is None and turn.role(outcome.topic) is None and near.topic != outcome.topic:
        outcome.replies.append(answers.danger_pointer(turn, near))  # after a routed answer only
    return outcome
