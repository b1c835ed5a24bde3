"""The framework-agnostic core: a message or button press in, replies out.

`understanding/` reads a message (language, topic, dates, danger); `conversation.py` decides
what to answer. Neither knows about aiogram or python-telegram-bot.
"""
