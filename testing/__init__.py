"""What the tests and the benchmarks share: the Bot API emulator and the loaders of the
labelled sets kept under tests/ (routing evaluation, redaction, held-out danger messages)."""
