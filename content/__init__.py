"""Caseworker-edited content: topic files, shared blocks, interface strings.

The data files sit beside the code that reads them, so `content/` is both what caseworkers
edit and the door through which it enters the bot.
"""

from content.library import Content, Topic, TopicText, load_content
from content.problems import ContentError, Problem

__all__ = ["Content", "ContentError", "Problem", "Topic", "TopicText", "load_content"]
