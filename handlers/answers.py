"""What the bot says: a topic's answer, the greeting, danger first, a caseworker, a follow-up.

Each function takes the current `Turn`, moves the person's session along its table
(handlers/session.py) and returns the `Outcome`. Dispatch (handlers/dispatch.py) decides
which one a message or button calls.
"""

from __future__ import annotations

import secrets
from typing import Any

from content.bare_replies import AGREE, DECLINE, THANKS
from content.library import CONVERSATION_MENU
from handlers.actions import Consent, FollowPointer, actions_of, button
from handlers.replies import Incoming, Outcome, Reply
from handlers.session import Cue, Event, State
from handlers.turn import Turn
from handlers.understanding.bare import BareReply
from handlers.understanding.calculators import CALCULATORS
from handlers.understanding.danger import Danger
from handlers.understanding.dates import date_words, scan_dates
from handlers.understanding.router import Route
from handlers.understanding.skeleton import skeleton
from storage.tickets import Ticket

POINTER_REF_BYTES = 4  # the pointer button's tag: 8 hex digits, random, unique enough within a week
BARE_WORDS = 3  # "Россия", "3 ноября", "а в Казахстане?": an answer, whatever the router thinks


def answer_topic(turn: Turn, topic_id: str, text: str) -> Outcome:
    """The topic's answer for the person's country, computed from the dates in `text`."""
    topic = turn.content.topics[topic_id]
    if topic.role == "greeting" and not text:
        return greeting(turn)
    if topic.role == "menu":
        turn.fire(Event.RESET)
        return turn.outcome([turn.menus.main(turn.lang)], topic=topic_id)
    if topic.role == "human_handoff" and turn.handoff is not None:
        return request_handoff(turn)
    notes: list[Reply] = []
    if topic.needs_country and turn.country is None:
        named = turn.services.countries.find(text) if text else None
        if named is not None:
            notes.append(_country_saved(turn, named))
        elif not turn.profile.country_asked and turn.incoming.interactive:
            turn.profile.country_asked = True
            turn.save_profile()
            turn.fire(Event.ASK_COUNTRY, topic_id, text)
            return turn.outcome([turn.menus.countries(turn.lang, turn.ui("ask_country"), topic_id)], topic=topic_id)
    calc, date_notes = _calculate(turn, topic.calculator, text)
    rendered = turn.content.render(topic_id, turn.lang, turn.country, calc)
    footer: list[str] = []
    if rendered.sources:
        paragraphs = ", ".join(f"§{n}" for n in rendered.sources)
        footer.append(turn.ui("source_line").format(paragraphs=paragraphs))
    if topic.menu != CONVERSATION_MENU:
        footer.append(turn.ui("as_of_line").format(as_of=rendered.as_of))
    if topic.needs_country and turn.country is None:
        footer.append(turn.ui("country_unknown_note"))
    body = rendered.body + ("\n\n" + "\n".join(footer) if footer else "")
    replies = notes + [Reply(note) for note in date_notes]
    buttons = turn.menus.answer_buttons(turn.lang, topic)
    alerts = turn.services.alerts
    if topic.needs_country and alerts is not None and turn.incoming.private:
        buttons = alerts.with_offer(turn.content, buttons, turn.profile.user_key, turn.lang)
    replies.append(Reply(body, buttons, title=rendered.title))
    turn.fire(Event.ASK_DATE if topic.calculator and calc is None else Event.ANSWER, topic_id, text)
    return turn.outcome(replies, topic=topic_id, sources=rendered.sources)


def choose_country(turn: Turn, code: str, topic_id: str, question: str) -> Outcome:
    """The person named their host country: remember it, then answer what waited for it."""
    saved = _country_saved(turn, code)
    if topic_id in turn.content.topics:
        answered = answer_topic(turn, topic_id, question)
        answered.replies.insert(0, saved)
        return answered
    turn.fire(Event.RESET)
    return turn.outcome([saved, turn.menus.main(turn.lang)])


def not_sure(turn: Turn, route: Route) -> Outcome:
    """The closest topics, the hotline and a caseworker; a number typed next picks a topic."""
    turn.fallback = True
    hotline = turn.roles.get("hotline")
    offered = route.suggestions + ((hotline,) if hotline in turn.content.topics else ())
    turn.fire(Event.OFFER_CHOICES, choices=offered)
    return turn.outcome(
        [
            Reply(turn.ui("fallback"), turn.menus.suggestions(turn.lang, route.suggestions, hotline)),
            Reply(turn.ui("fallback_hint"), turn.menus.footer(turn.lang)),
        ],
        confidence=route.confidence,
        suggestions=route.suggestions,
    )


def bare_reply(turn: Turn, reply: BareReply) -> Outcome:
    """A reply that asks nothing ("да", "не знаю", "ок", "рахмат", "👍"): never a topic's answer.

    Thanks gets the "you are welcome" of the thanks topic; anything else the topic menu,
    except where it answers what the bot just asked: a yes or no to the offer of a
    caseworker counts as the button, and a question still waiting for the host country is
    answered for no country in particular («не знаю» to "which country are you in?").
    Otherwise the session stays as it was, so a date or a country typed next still refines
    the last answer.
    """
    session = turn.session
    yes_or_no = reply.answer((AGREE, DECLINE))
    if turn.incoming.interactive and session.accepts(Cue.CONSENT) and yes_or_no and turn.handoff is not None:
        return consent(turn, yes_or_no == AGREE)  # «да, спасибо» to "pass your messages to a caseworker?"
    thanks = turn.roles.get(THANKS)
    if reply.kind == THANKS and thanks is not None:
        return answer_topic(turn, thanks, "")
    if turn.incoming.interactive and session.state is State.ASKED_COUNTRY and session.topic in turn.content.topics:
        return answer_topic(turn, session.topic, session.question)
    return turn.outcome([turn.menus.main(turn.lang)])


def follow_up(turn: Turn, text: str, route: Route) -> Outcome | None:
    """The message as the answer to what the bot just asked, or None when it is a new question.

    A bare answer ("Россия", "3 ноября", "2") always counts; a longer one only when the
    router does not see a different topic in it ("а если я приехал 3 ноября?").
    """
    session = turn.session
    if session.state is State.IDLE:
        return None
    bare = len(text.split()) <= BARE_WORDS
    elsewhere = (
        route.topic is not None
        and route.topic != session.topic
        and turn.content.topics[route.topic].menu != CONVERSATION_MENU
    )
    if elsewhere and not bare:
        return None
    number = int(text.strip()) if text.strip().isascii() and text.strip().isdigit() else None
    if number is not None and bare and session.accepts(Cue.NUMBER):
        return _by_number(turn, number)
    topic = turn.content.topics.get(session.topic or "")
    if topic is None:
        return None
    scan = scan_dates(text)
    has_date = bool(scan.dates) or scan.unreadable
    if has_date and topic.calculator and session.accepts(Cue.DATE):
        return answer_topic(turn, topic.id, text)
    country = turn.services.countries.find(text) if session.accepts(Cue.COUNTRY) else None
    if country is None:
        return None
    question = f"{session.question}\n{text}" if has_date else session.question
    if session.state is State.ASKED_COUNTRY:
        return choose_country(turn, country, topic.id, question)
    if not topic.needs_country:
        return None
    if turn.profile.country is None:  # the first time they name it: remember it
        return choose_country(turn, country, topic.id, question)
    turn.country = country  # "а в Казахстане?" asks about another country: this answer only
    return answer_topic(turn, topic.id, question)


def _by_number(turn: Turn, number: int) -> Outcome | None:
    session = turn.session
    if session.state is State.OFFERED_CHOICES:
        if 1 <= number <= len(session.choices) and session.choices[number - 1] in turn.content.topics:
            return answer_topic(turn, session.choices[number - 1], "")
        return None
    order = turn.content.country_order
    if 1 <= number <= len(order) and session.topic:
        return choose_country(turn, order[number - 1], session.topic, session.question)
    return None


def answer_danger(turn: Turn, danger: Danger, routed: str | None, text: str) -> Outcome:
    """Emergency contacts first, then the answer to what was asked, then a caseworker."""
    turn.danger = danger.kind
    outcome = answer_topic(turn, danger.topic, "")
    related = turn.content.topics.get(routed) if routed else None
    if related is not None and routed != danger.topic and related.menu != CONVERSATION_MENU:
        outcome.replies.extend(answer_topic(turn, related.id, text).replies)
    outcome.replies.append(Reply(turn.ui("danger_offer"), turn.menus.footer(turn.lang)))
    return outcome


def danger_pointer(turn: Turn, near: Danger) -> Reply:
    """The line after an answer to a message that reads close to danger (and was not taken for
    it): one tap to the emergency contacts of the kind it comes close to."""
    turn.pointer, turn.pointer_ref = near.kind, secrets.token_hex(POINTER_REF_BYTES)
    pointer = button(turn.ui("danger_pointer_button"), FollowPointer(near.topic, turn.pointer_ref))
    return Reply(turn.ui("danger_pointer"), ((pointer,),))


def greeting(turn: Turn) -> Outcome:
    turn.fire(Event.RESET)
    text = f"{turn.ui('greeting')}\n\n{turn.ui('about')}"
    return turn.outcome(
        [Reply(text), turn.menus.languages(), turn.menus.main(turn.lang)], topic=turn.roles.get("greeting")
    )


def change_language(turn: Turn, text: str) -> Outcome:
    """Switch to the one language the message names, or offer the choice."""
    turn.fire(Event.RESET)
    topic = turn.roles.get("change_language")
    folded = skeleton(text)
    named = [
        lang
        for lang, words in turn.content.words.items()  # "по-русски", "kyrgyzcha", "in English"
        if any(skeleton(word) in folded for word in words.called)
    ]
    if len(named) == 1:
        turn.switch_language(named[0])
        return turn.outcome([turn.menus.main(turn.lang, turn.ui("language_saved"))], topic=topic)
    return turn.outcome([turn.menus.languages()], topic=topic)


# -- the caseworker hand-off ----------------------------------------------------------------


def request_handoff(turn: Turn) -> Outcome:
    """Offer a caseworker: in a private chat only, and after consent (without one, explain)."""
    turn.fire(Event.RESET)
    topic = turn.roles.get("human_handoff")
    if turn.handoff is None:
        return answer_topic(turn, topic, "") if topic else turn.outcome([Reply(turn.ui("unknown_command"))])
    if not turn.incoming.private:
        return private_only(turn)
    replies = turn.handoff.request(turn.profile.user_key, turn.lang, turn.content.ui)
    if any(isinstance(action, Consent) for reply in replies for action in actions_of(reply.buttons)):
        turn.fire(Event.OFFER_HANDOFF)  # a typed «да» or «жок» answers it too
    return turn.outcome(replies, topic=topic)


def consent(turn: Turn, agreed: bool) -> Outcome:
    """The person's own yes or no: their button (dispatch has checked it is theirs) or a typed «да»."""
    turn.fire(Event.RESET)
    if not turn.incoming.private:
        return private_only(turn)
    assert turn.handoff is not None
    turn.entry = "handoff"
    replies, forwards = turn.handoff.consent(
        turn.profile.user_key,
        turn.incoming.chat,
        turn.lang,
        agreed,
        turn.session.in_danger,
        turn.content.ui,
    )
    return turn.outcome(replies, topic=turn.roles.get("human_handoff"), forwards=forwards)


def close_ticket(turn: Turn) -> Outcome:
    if turn.handoff is None:
        return turn.outcome([Reply(turn.ui("unknown_command"), turn.menus.footer(turn.lang))])
    if not turn.incoming.private:
        return private_only(turn)
    replies, forwards = turn.handoff.close_by_migrant(turn.profile.user_key, turn.lang, turn.content.ui)
    return turn.outcome(replies, topic=turn.roles.get("human_handoff"), forwards=forwards)


def relay_to_caseworker(turn: Turn, ticket: Ticket, text: str, danger: Danger | None, notes: list[Reply]) -> Outcome:
    """With a ticket open, the migrant's messages go to the caseworkers (danger still answered first)."""
    assert turn.handoff is not None
    turn.entry = "handoff"
    replies, forwards = turn.handoff.relay_from_migrant(ticket, text, turn.lang, danger is not None, turn.content.ui)
    if danger is not None:
        turn.danger = danger.kind
        replies = answer_topic(turn, danger.topic, "").replies + replies
    return turn.outcome(replies + notes, topic=turn.roles.get("human_handoff"), forwards=forwards)


def private_only(turn: Turn) -> Outcome:
    """In a group: a caseworker's answers would be read by everyone there, so point to a private chat."""
    return turn.outcome([Reply(_handoff_words(turn, "private_only"))], topic=turn.roles.get("human_handoff"))


def not_yours(turn: Turn) -> Outcome:
    """Someone pressed a consent button offered to another person."""
    return turn.outcome([Reply(_handoff_words(turn, "not_yours"))], topic=turn.roles.get("human_handoff"))


# -- the desk: canned answers from a ticket's topic --------------------------------------------

NOT_CANNED = ("greeting", "menu", "human_handoff")  # roles that are not an answer to send


def desk_command(turn: Turn, command: str, argument: str) -> Outcome:
    """`/topics` lists what can be sent; `/send ID` in a ticket's topic sends that answer to
    the ticket's migrant exactly as the bot would answer them (language, host country)."""
    handoff = turn.handoff
    assert handoff is not None
    ui = turn.content.ui
    words = handoff.caseworker_words(ui)
    here = turn.incoming.thread
    if command == "/topics":
        lang = handoff.settings.caseworker_lang
        lines = [f"{topic_id} — {turn.content.title(topic_id, lang)}" for topic_id in _canned(turn)]
        return Outcome([], turn.lang, forwards=[handoff.to_caseworkers("\n".join([words["topics"], *lines]), here)])
    ticket = handoff.ticket_in(turn.incoming)
    if ticket is None:
        return Outcome([], turn.lang, forwards=[handoff.to_caseworkers(words["send_in_topic"], here)])
    topic_id = argument.split()[0] if argument else ""
    if topic_id not in _canned(turn):
        note = words["unknown_topic"].format(topic=topic_id[:40] or "?")
        return Outcome([], turn.lang, forwards=[handoff.to_caseworkers(note, here)])
    profiles, sessions = turn.services.profiles, turn.services.sessions
    as_migrant = Turn(
        turn.services,
        turn.knowledge,
        profiles.get(ticket.user_key),
        sessions.get(ticket.user_key),
        Incoming(0, force_lang=ticket.lang, interactive=False),
    )
    answered = answer_topic(as_migrant, topic_id, "")
    forwards = handoff.send_to_migrant(ticket, answered.replies)
    if not forwards:
        return Outcome(
            [], turn.lang, forwards=[handoff.to_caseworkers(words["closed_ticket"].format(ticket=ticket.id), here)]
        )
    note = words["sent"].format(topic=topic_id, lang=as_migrant.lang, country=as_migrant.country or "—")
    return Outcome([], turn.lang, forwards=[*forwards, handoff.to_caseworkers(note, here)])


def _canned(turn: Turn) -> list[str]:
    return sorted(topic.id for topic in turn.content.topics.values() if topic.role not in NOT_CANNED)


# -- helpers ----------------------------------------------------------------------------------


def _handoff_words(turn: Turn, key: str) -> str:
    return str(turn.content.ui[turn.lang]["handoff"][key]).strip()


def _country_saved(turn: Turn, code: str) -> Reply:
    turn.set_country(code)
    name = turn.content.countries[code].names.get(turn.lang, code)
    return Reply(turn.ui("country_saved").format(country=name))


def _calculate(turn: Turn, calculator: str | None, text: str) -> tuple[dict[str, Any] | None, list[str]]:
    if not calculator or not text:
        return None, []
    scan = scan_dates(text, date_words(tuple(turn.content.words.values())))
    calc = CALCULATORS[calculator](scan, turn.services.today())
    if calc is None and scan.unreadable:
        return None, [turn.ui("date_hint")]
    return calc, []
