"""Grouping unanswered questions that ask the same thing in different words or spellings.

Texts are folded to their skeleton and described by character 3- and 4-grams, so
"patent kancha turat", "патент канча турат" and "pattent kancha" land together. Grouping is
greedy around the most frequent text: each text joins the first (most frequent) leader it
resembles at least `threshold` in cosine similarity, so groups do not chain apart.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers.understanding.skeleton import skeleton

THRESHOLD = 0.5


def group_similar(texts: Sequence[str], weights: Sequence[int], threshold: float = THRESHOLD) -> list[list[int]]:
    """Indices of `texts` in groups; the biggest (by summed weight) first, leader first within."""
    if not texts:
        return []
    from sklearn.feature_extraction.text import CountVectorizer  # only when a report is built
    from sklearn.preprocessing import normalize

    folded = [skeleton(t) or t.lower() for t in texts]
    vectorizer = CountVectorizer(analyzer="char_wb", ngram_range=(3, 4), binary=True, lowercase=False)
    try:
        matrix = normalize(vectorizer.fit_transform(folded).astype(float))
    except ValueError:  # no n-grams at all (texts of one or two characters)
        return [[i] for i in range(len(texts))]
    similarity = (matrix @ matrix.T).toarray()
    order = sorted(range(len(texts)), key=lambda i: (-weights[i], folded[i]))
    group_of: dict[int, int] = {}
    groups: list[list[int]] = []
    for i in order:
        if i in group_of:
            continue
        group = [i]
        group_of[i] = len(groups)
        for j in order:
            if j not in group_of and similarity[i, j] >= threshold:
                group_of[j] = len(groups)
                group.append(j)
        groups.append(group)
    groups.sort(key=lambda g: -sum(weights[i] for i in g))
    return groups


def closest_topics(router, text: str, n: int = 5) -> tuple[list[tuple[str, float]], bool]:
    """The router's `n` best real topics for a text with their confidence, and whether its
    overall best guess was the off-topic class."""
    from handlers.understanding.router import OFF_TOPIC

    scores = router.scores(text)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    off_topic = bool(ranked) and ranked[0][0] == OFF_TOPIC
    return [(topic, score) for topic, score in ranked if topic != OFF_TOPIC][:n], off_topic
