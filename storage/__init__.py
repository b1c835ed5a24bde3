"""What helpline remembers: an anonymised query log, feedback and per-user settings.

Nothing here ever holds a raw Telegram id, name, username or phone number: users are known
by a keyed pseudonym (`pseudonym.py`) and message text is redacted before it is written
(`redaction.py`).
"""
