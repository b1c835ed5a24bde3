"""Compiled answer templates kept on disk, so a restart does not compile them all again.

Turning Jinja source into Python code is most of what loading the content costs, and the
bot loads (and fully checks) its content at every start. The compiled code of every
template, answers and shared blocks alike, is stored in one file in the bot's cache
folder, keyed by where the template comes from and the options it was compiled with, and
checked against a hash of its source, so an edited template is compiled afresh. Templates
are still parsed at every load: syntax errors and included blocks are found exactly as
without the cache. A missing, damaged or unwritable file only costs compiling again.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import marshal
import os
import sys
import tempfile
from pathlib import Path

import jinja2
import jinja2.nodes

log = logging.getLogger(__name__)


class TemplateCodeCache(jinja2.BytecodeCache):
    """Jinja's bytecode cache, in a single file read once and written once per load."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / f"templates-{sys.implementation.cache_tag}-jinja{jinja2.__version__}.marshal"
        self._stored = self._read()
        self._kept: dict[str, bytes] = {}  # what this load used: older entries are dropped on save
        self._changed = False

    def _read(self) -> dict[str, bytes]:
        try:
            stored = marshal.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except Exception as error:  # noqa: BLE001 - a damaged file only costs compiling again
            log.warning("template cache unreadable (%s); compiling again", type(error).__name__)
            return {}
        return stored if isinstance(stored, dict) else {}

    def get_bucket(
        self, environment: jinja2.Environment, name: str, filename: str | None, source: str
    ) -> jinja2.bccache.Bucket:
        # The same source compiles differently under other options: they are part of the key.
        return super().get_bucket(environment, f"{_options(environment)}|{name}", filename, source)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._stored.get(bucket.key)
        if data is None:
            return
        try:
            bucket.bytecode_from_string(data)
        except Exception:  # noqa: BLE001 - a damaged entry only costs compiling again
            bucket.reset()
        if bucket.code is not None:
            self._kept[bucket.key] = data

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._kept[bucket.key] = bucket.bytecode_to_string()
        self._changed = True

    def save(self) -> None:
        """Write the file when something was compiled or dropped; never raises."""
        if not self._changed and self._kept.keys() == self._stored.keys():
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(descriptor, "wb") as handle:
                marshal.dump(self._kept, handle)
            os.replace(temporary, self.path)
        except OSError as error:
            log.warning("template cache not written (%s)", type(error).__name__)
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(temporary)
            return
        self._stored, self._changed = dict(self._kept), False


def compile_template(
    environment: jinja2.Environment, parsed: jinja2.nodes.Template, source: str, name: str
) -> jinja2.Template:
    """`environment.from_string(parsed)`, taking the compiled code from the cache when it has it."""
    cache = environment.bytecode_cache
    if cache is None:
        return environment.from_string(parsed)
    bucket = cache.get_bucket(environment, name, None, source)
    if bucket.code is None:
        bucket.code = environment.compile(parsed)
        cache.set_bucket(bucket)
    return environment.template_class.from_code(environment, bucket.code, environment.make_globals(None), None)


def _options(environment: jinja2.Environment) -> str:
    """A short hash of the environment settings that change the compiled code."""
    settings = (
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        sorted(environment.extensions),
        environment.optimized,
        repr(environment.autoescape),
        environment.finalize is not None,
        environment.is_async,
        environment.undefined.__name__,
    )
    return hashlib.sha256(repr(settings).encode()).hexdigest()[:16]
