"""A Bot API server on 127.0.0.1 for testing the bot without Telegram.

It answers the methods aiogram and python-telegram-bot call, records every call, holds
the messages each chat sees (sent and edited), lets a test act as users (text, commands
with a bot_command entity as Telegram sends them, button presses, edits, voice, photos,
…), counts how often getUpdates returned each update, and can fail the next N calls of
a method with 429 (with retry_after) or 500, or refuse connections for a while (an outage).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import re
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT = {
    "id": 700000001,
    "is_bot": True,
    "first_name": "Helpline",
    "username": "helpline_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Fields sent as plain strings; every other form value arrives JSON-encoded.
TEXT_FIELDS = frozenset(
    {
        "text",
        "caption",
        "url",
        "secret_token",
        "parse_mode",
        "action",
        "callback_query_id",
        "inline_message_id",
        "language_code",
        "description",
    }
)
ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-spoiler",
        "span",
        "tg-emoji",
    }
)
_TAG = re.compile(r"</?([a-zA-Z-]+)(?:\s[^<>]*)?>")
_BARE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);)")
MEDIA = {
    "voice": {"voice": {"file_id": "v1", "file_unique_id": "uv1", "duration": 3}},
    "photo": {"photo": [{"file_id": "p1", "file_unique_id": "up1", "width": 90, "height": 90}]},
    "sticker": {
        "sticker": {
            "file_id": "s1",
            "file_unique_id": "us1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    },
    "document": {"document": {"file_id": "d1", "file_unique_id": "ud1", "file_name": "a.pdf"}},
    "location": {"location": {"latitude": 55.75, "longitude": 37.61}},
    "contact": {"contact": {"phone_number": "+996555123456", "first_name": "A"}},
}


class ApiError(Exception):
    """An error answer from a Bot API method, as Telegram gives it."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    status: int | None = None  # None while the call is being answered


class Emulator:
    def __init__(self, token: str = "123456:TEST-token") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.chats: dict[int, list[dict[str, Any]]] = defaultdict(list)  # what each chat shows
        self.commands: dict[str | None, list[dict[str, str]]] = {}
        self.webhook: dict[str, Any] = {}
        self.documents: list[tuple[int, str, bytes]] = []  # (chat id, file name, bytes) sent
        self.forums: set[int] = set()  # supergroups with topics enabled
        self.topics: dict[tuple[int, int], dict[str, Any]] = {}  # (chat, thread) -> name, closed
        self._updates: list[dict[str, Any]] = []
        self.deliveries: Counter[int] = Counter()  # update id -> times getUpdates returned it
        self.confirmed = 0  # the highest update id Telegram was told to forget (offset - 1)
        self.down_until = 0.0  # monotonic time until which every call gets a 502 (an outage)
        self._update_ids = itertools.count(random.randint(1, 10**9))  # Telegram starts anywhere
        self._message_ids = itertools.count(1)
        self._failures: dict[str, deque[tuple[int, int]]] = defaultdict(deque)
        self._stalls: Counter[str] = Counter()  # method -> calls carried out but never answered
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- server ---------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        call = Call(method, params)
        self.calls.append(call)
        await self._notify()
        if time.monotonic() < self.down_until:
            call.status = 502
            await self._notify()
            return _error(502, "Bad Gateway")
        failures = self._failures.get(method.lower())
        if failures:
            call.status, retry_after = failures.popleft()
            await self._notify()
            if call.status == 429:
                return _error(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
            return _error(call.status, "Internal Server Error")
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            call.status = 404
            await self._notify()
            return _error(404, "Not Found: method not found")
        try:
            result = await handler(params)
        except ApiError as error:
            call.status = error.status
            return _error(error.status, error.description)
        else:
            call.status = 200
        finally:
            await self._notify()
        if self._stalls[method.lower()] > 0:
            self._stalls[method.lower()] -= 1
            await asyncio.Event().wait()  # done, and the answer never leaves: the bot cannot know
        return web.json_response({"ok": True, "result": result})

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- Bot API methods ----------------------------------------------------------------

    async def _m_getme(self, params: dict[str, Any]) -> Any:
        return BOT

    async def _m_getupdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        if offset:
            self._updates = [u for u in self._updates if _id(u) >= offset]
            self.confirmed = max(self.confirmed, offset - 1)
        async with self._changed:
            while not self._updates and (left := deadline - time.monotonic()) > 0:
                try:
                    await asyncio.wait_for(self._changed.wait(), left)
                except TimeoutError:
                    break
        batch = self._updates[:limit]
        self.deliveries.update(_id(update) for update in batch)
        return batch

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        _check_text(params)
        chat_id = int(params["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "from": BOT,
            "chat": _chat(chat_id),
            "text": params["text"],
            "parse_mode": params.get("parse_mode"),
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        if params.get("message_thread_id") is not None:
            thread = int(params["message_thread_id"])
            topic = self.topics.get((chat_id, thread))
            if topic is None:
                raise ApiError(400, "Bad Request: message thread not found")
            if topic["closed"]:
                raise ApiError(400, "Bad Request: TOPIC_CLOSED")
            message.update(message_thread_id=thread, is_topic_message=True)
            message["chat"] = {**_chat(chat_id, "supergroup"), "is_forum": True}
        self.chats[chat_id].append(message)
        return message

    async def _m_getchat(self, params: dict[str, Any]) -> Any:
        """A ChatFullInfo with the fields the Bot API always fills in."""
        chat_id = int(params["chat_id"])
        chat = _chat(chat_id) if chat_id > 0 else {**_chat(chat_id, "supergroup"), "is_forum": chat_id in self.forums}
        gifts = {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        }
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}

    async def _m_createforumtopic(self, params: dict[str, Any]) -> Any:
        chat_id, name = int(params["chat_id"]), str(params["name"])
        if chat_id not in self.forums:
            raise ApiError(400, "Bad Request: the chat is not a forum")
        if not 1 <= len(name) <= 128:
            raise ApiError(400, "Bad Request: TOPIC_TITLE_EMPTY")
        thread = next(self._message_ids)  # a topic's id is the id of its opening service message
        self.topics[(chat_id, thread)] = {"name": name, "closed": False}
        return {"message_thread_id": thread, "name": name, "icon_color": 7322096}

    async def _m_closeforumtopic(self, params: dict[str, Any]) -> Any:
        key = (int(params["chat_id"]), int(params["message_thread_id"]))
        topic = self.topics.get(key)
        if topic is None:
            raise ApiError(400, "Bad Request: message thread not found")
        if topic["closed"]:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        topic["closed"] = True
        return True

    def topic_texts(self, chat_id: int, thread: int | None) -> list[str]:
        """What the bot wrote in one topic of a forum (None: outside every topic)."""
        return [m.get("text", "") for m in self.chats[chat_id] if m.get("message_thread_id") == thread]

    async def _m_editmessagetext(self, params: dict[str, Any]) -> Any:
        _check_text(params)
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        for message in self.chats[chat_id]:
            if message["message_id"] == message_id:
                message["text"] = params["text"]
                message["edit_date"] = int(time.time())
                message.pop("reply_markup", None)
                if params.get("reply_markup"):
                    message["reply_markup"] = params["reply_markup"]
                return message
        raise ApiError(400, "Bad Request: message to edit not found")

    async def _m_senddocument(self, params: dict[str, Any]) -> Any:
        """A file upload: the emulator keeps its name, size and caption as a chat message."""
        upload = params.get("document")
        name = getattr(upload, "filename", "document")
        data = upload.file.read() if hasattr(upload, "file") else b""
        chat_id = int(params["chat_id"])
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "document": {"file_name": name, "file_size": len(data)},
            "caption": params.get("caption", ""),
        }
        self.documents.append((chat_id, name, data))
        return message

    async def _m_sendchataction(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_setmycommands(self, params: dict[str, Any]) -> Any:
        self.commands[params.get("language_code")] = params["commands"]
        return True

    async def _m_getmycommands(self, params: dict[str, Any]) -> Any:
        return self.commands.get(params.get("language_code"), [])

    async def _m_deletewebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    async def _m_setwebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = params
        return True

    async def _m_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _m_close(self, params: dict[str, Any]) -> Any:
        return True

    async def _m_logout(self, params: dict[str, Any]) -> Any:
        return True

    # -- acting as users ----------------------------------------------------------------

    def fail(self, method: str, times: int, status: int = 429, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with `status` (429 or 5xx)."""
        for _ in range(times):
            self._failures[method.lower()].append((status, retry_after))

    def stall(self, method: str, times: int = 1) -> None:
        """Carry out the next `times` calls of `method` (a message reaches its chat) and never
        answer them, as when a connection drops after Telegram took the call."""
        self._stalls[method.lower()] += times

    def message_update(
        self,
        user_id: int,
        text: str | None = None,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        language_code: str | None = "ru",
        kind: str | None = None,
        reply_to: dict[str, Any] | None = None,
        edited: bool = False,
        thread: int | None = None,
    ) -> dict[str, Any]:
        """An update as Telegram builds it; `/command` text gets its bot_command entity; a
        message in forum topic `thread` is marked so and, like Telegram, replies to the
        topic's opening message unless it replies to another."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": _chat(chat_id if chat_id is not None else user_id, chat_type, user_id),
            "from": _user(user_id, language_code),
        }
        if text is not None:
            message["text"] = text
            entities = _entities(text)
            if entities:
                message["entities"] = entities
        if kind is not None:
            message.update(MEDIA[kind])
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if thread is not None:
            chat = message["chat"]
            chat["is_forum"] = True
            message.update(message_thread_id=thread, is_topic_message=True)
            message.setdefault(
                "reply_to_message",
                {
                    "message_id": thread,
                    "date": message["date"],
                    "chat": chat,
                    "forum_topic_created": {
                        "name": self.topics.get((chat["id"], thread), {}).get("name", ""),
                        "icon_color": 7322096,
                    },
                },
            )
        if edited:
            message["edit_date"] = int(time.time())
        return {"update_id": next(self._update_ids), "edited_message" if edited else "message": message}

    def callback_update(
        self, user_id: int, message: dict[str, Any], data: str, language_code: str | None = "ru"
    ) -> dict[str, Any]:
        query = {
            "id": f"cb{next(self._update_ids)}",
            "from": _user(user_id, language_code),
            "chat_instance": "ci",
            "data": data,
            "message": message,
        }
        return {"update_id": next(self._update_ids), "callback_query": query}

    async def push(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates (any JSON, as a broken server might send); returns its id."""
        self._updates.append(update)
        await self._notify()
        return _id(update)

    def next_update_id(self) -> int:
        return next(self._update_ids)

    async def wait_for(self, condition: Any, timeout: float = 15.0) -> None:
        """Wait until `condition()` holds: re-checked after every call the bot makes, and
        every quarter second for conditions on other things (a process exiting)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with self._changed:
            while not condition():
                left = deadline - loop.time()
                if left <= 0:
                    raise TimeoutError(f"still waiting after {timeout} s")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), min(left, 0.25))

    def called(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def succeeded(self, method: str) -> list[Call]:
        return [call for call in self.called(method) if call.status == 200]


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse `text` in HTML parse mode, or None when it takes it."""
    if not text.strip():
        return "message text is empty"
    if len(text.encode("utf-16-le")) // 2 > 4096:
        return "message is too long"
    stack: list[str] = []
    for match in _TAG.finditer(text):
        name = match.group(1).lower()
        if name not in ALLOWED_TAGS:
            return f'can\'t parse entities: unsupported start tag "{name}"'
        if not match.group(0).startswith("</"):
            stack.append(name)
        elif not stack or stack.pop() != name:
            return f'can\'t parse entities: unexpected end tag "{name}"'
    if stack:
        return f"can't parse entities: can't find end tag corresponding to \"{stack[-1]}\""
    outside = _TAG.sub("", text)
    if "<" in outside or ">" in outside or _BARE_AMPERSAND.search(outside):
        return "can't parse entities: unescaped character"
    return None


def _check_text(params: dict[str, Any]) -> None:
    if params.get("parse_mode") == "HTML":
        problem = html_problem(str(params.get("text", "")))
        if problem:
            raise ApiError(400, f"Bad Request: {problem}")


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return await request.json()
    if request.method == "GET":
        form: Any = request.query
    else:
        form = await request.post()
    params: dict[str, Any] = {}
    for key, value in form.items():
        params[key] = value if key in TEXT_FIELDS or not isinstance(value, str) else _decode(value)
    return params


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def _id(update: Any) -> int:
    """An update's id; a malformed one without an integer id sorts as 0."""
    update_id = update.get("update_id") if isinstance(update, dict) else None
    return update_id if type(update_id) is int else 0


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


def _chat(chat_id: int, chat_type: str = "private", user_id: int | None = None) -> dict[str, Any]:
    if chat_type == "private":
        return {"id": chat_id, "type": "private", "first_name": f"User{user_id or chat_id}"}
    return {"id": chat_id, "type": chat_type, "title": "Migrants chat"}


def _user(user_id: int, language_code: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
    if language_code:
        user["language_code"] = language_code
    return user


def _entities(text: str) -> list[dict[str, Any]]:
    """bot_command at offset 0 and @mentions, with offsets in UTF-16 units as Telegram does."""
    entities = []
    position = 0
    for word in text.split(" "):
        length = len(word.encode("utf-16-le", "surrogatepass")) // 2
        if word.startswith("/") and position == 0 and len(word) > 1:
            entities.append({"type": "bot_command", "offset": 0, "length": length})
        elif word.startswith("@") and len(word) > 1:
            entities.append({"type": "mention", "offset": position, "length": length})
        position += length + 1
    return entities
