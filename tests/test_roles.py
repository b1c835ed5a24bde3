"""Special topics are marked by caseworkers with `role:` in topic.yaml, and checked."""

from __future__ import annotations

from tests.test_validation import content_dir, problems_in  # noqa: F401 - the fixture is used by name


def _set_role(root, topic: str, role: str) -> None:
    path = root / "topics" / topic / "topic.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"role: {role}\n", encoding="utf-8")


def test_a_known_role_on_one_topic_is_valid(content_dir):  # noqa: F811
    _set_role(content_dir, "alpha", "hotline")
    assert problems_in(content_dir) == []


def test_an_unknown_role_is_reported_with_its_line(content_dir):  # noqa: F811
    _set_role(content_dir, "alpha", "hotlne")
    path = content_dir / "topics" / "alpha" / "topic.yaml"
    assert any(p.startswith(f"{path}:6:") and "role: unknown 'hotlne'" in p for p in problems_in(content_dir))


def test_one_role_given_to_two_topics_is_reported(content_dir):  # noqa: F811
    _set_role(content_dir, "alpha", "menu")
    _set_role(content_dir, "beta", "menu")
    assert any("role 'menu' is also given to 'alpha'" in p for p in problems_in(content_dir))
