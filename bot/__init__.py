"""Wiring: configuration, the `helpline` command, the console chat and Telegram front ends."""
