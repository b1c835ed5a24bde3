"""`helpline chat`: the bot in a terminal, through the same conversation as on Telegram.

Buttons are shown as numbered choices; typing the number presses the button.
"""

from __future__ import annotations

from typing import TextIO

from handlers.conversation import Conversation
from handlers.replies import Button, Incoming, Reply

CONSOLE_USER_ID = 1
QUIT_WORDS = frozenset({"/quit", "/exit"})


def format_replies(replies: list[Reply]) -> tuple[str, list[Button]]:
    """The replies as terminal text, and the buttons in the order they are numbered."""
    buttons: list[Button] = []
    blocks: list[str] = []
    for reply in replies:
        lines = [reply.plain]
        for row in reply.buttons:
            cells = []
            for button in row:
                buttons.append(button)
                cells.append(f"[{len(buttons)}] {button.label}")
            lines.append("   ".join(cells))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks), buttons


def run_console(
    conversation: Conversation,
    stdin: TextIO,
    stdout: TextIO,
    user_id: int = CONSOLE_USER_ID,
    language_code: str | None = None,
    prompt: bool = True,
) -> None:
    """Chat until end of input or /quit."""
    stdout.write("helpline console chat. Type a question, a number to press a button, /quit to leave.\n")
    buttons: list[Button] = []
    first = conversation.handle(Incoming(user_id, "/start", language_code=language_code))
    text, buttons = format_replies(first.replies)
    stdout.write(text + "\n")
    while True:
        if prompt:
            stdout.write("\n> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        line = line.strip()
        if line in QUIT_WORDS:
            break
        if line.isdigit() and 1 <= int(line) <= len(buttons):
            incoming = Incoming(user_id, button=buttons[int(line) - 1].data, language_code=language_code)
        else:
            incoming = Incoming(user_id, line, language_code=language_code)
        outcome = conversation.handle(incoming)
        text, buttons = format_replies(outcome.replies)
        stdout.write("\n" + text + "\n")
        stdout.flush()
