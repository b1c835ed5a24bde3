"""The bot trains its models without scikit-learn, and they are scikit-learn's models.

The danger thresholds were chosen, and the router tuned, on models scikit-learn trained; a
migrant must get the same verdicts from the bot's own trainers. Each test trains the
content's models both ways (scikit-learn stays a test dependency) and compares them.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

from handlers.knowledge import build_knowledge, danger_training_set
from handlers.understanding import danger, language, router
from handlers.understanding.linear import LinearModel, train_one_vs_rest, train_svm
from testing import danger_heldout as heldout

SCORE_TOLERANCE = 0.01  # the danger thresholds are two hundredths apart from their neighbours at most


# liblinear visits the examples in a random order; a fixed seed keeps the comparison repeatable.
def _sklearn_svm(features, positive, c, weights=None):
    model = LinearSVC(C=c, tol=1e-3, random_state=0).fit(features, list(positive), sample_weight=weights)
    return model.coef_[0], float(model.intercept_[0])


def _sklearn_one_vs_rest(features, labels, c, weights=None):
    model = LinearSVC(C=c, tol=1e-3, random_state=0).fit(features, labels, sample_weight=weights)
    coef, intercept = model.coef_.T, model.intercept_
    if len(model.classes_) == 2:  # scikit-learn keeps one score for the second class
        coef, intercept = np.column_stack([-coef[:, 0], coef[:, 0]]), np.array([-intercept[0], intercept[0]])
    return LinearModel(model.classes_.tolist(), coef, intercept)


def _sklearn_naive_bayes(features, labels, alpha):
    model = MultinomialNB(alpha=alpha).fit(features, labels)
    return model.classes_.tolist(), model.feature_log_prob_.T, model.class_log_prior_


@pytest.fixture(scope="module")
def sklearn_knowledge(content):
    """The same models, trained by scikit-learn's LinearSVC and MultinomialNB."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(danger, "train_svm", _sklearn_svm)
        patch.setattr(danger, "train_one_vs_rest", _sklearn_one_vs_rest)
        patch.setattr(router, "train_one_vs_rest", _sklearn_one_vs_rest)
        patch.setattr(language, "train_naive_bayes", _sklearn_naive_bayes)
        return build_knowledge(content)


@pytest.fixture(scope="module")
def danger_messages(content):
    """Every message the danger model learns from, and every held-out one."""
    examples: dict[str, list[str]] = {}
    for topic in content.topics.values():
        examples[topic.id] = [q for text in topic.texts.values() for q in [*text.examples, text.title]]
    off_topic = [q for questions in content.off_topic.values() for q in questions]
    by_kind, look_alikes, everyday = danger_training_set(content, examples, off_topic)
    taught = [m for messages in by_kind.values() for m in messages] + look_alikes + everyday
    held_out = [m for part in ("danger", "ordinary") for family in heldout.families(part) for m in family.messages]
    return taught + held_out


def test_every_message_scores_the_same_danger_as_with_scikit_learn(knowledge, sklearn_knowledge, danger_messages):
    ours, theirs = knowledge.danger.model, sklearn_knowledge.danger.model
    assert len(danger_messages) > 2000
    differences = [abs(ours.score(m) - theirs.score(m)) for m in danger_messages]
    assert max(differences) < SCORE_TOLERANCE


def test_every_message_gets_the_same_emergency_verdict_as_with_scikit_learn(
    knowledge, sklearn_knowledge, danger_messages
):
    """The same alarm or pointer line, naming the same kind of danger, for every message whose score lies
    farther from a threshold than the two solvers may differ (nearer, the last digits decide)."""
    ours, theirs = knowledge.danger, sklearn_knowledge.danger
    thresholds = (danger.THRESHOLD, danger.POINTER_THRESHOLD)

    def clear_of_thresholds(message: str) -> bool:
        score = ours.model.score(message)
        return min(abs(score - threshold) for threshold in thresholds) > SCORE_TOLERANCE

    clear = [m for m in danger_messages if clear_of_thresholds(m)]
    assert len(clear) > 0.99 * len(danger_messages)
    assert [ours.assess(m) for m in clear] == [theirs.assess(m) for m in clear]


def test_every_example_question_reaches_the_same_topic_as_with_scikit_learn(content, knowledge, sklearn_knowledge):
    questions = [q for topic in content.topics.values() for text in topic.texts.values() for q in text.examples]
    questions += [q for qs in content.off_topic.values() for q in qs]
    ours, theirs = knowledge.router, sklearn_knowledge.router
    assert [ours.route(q).topic for q in questions] == [theirs.route(q).topic for q in questions]
    confidence_gaps = [abs(ours.route(q).confidence - theirs.route(q).confidence) for q in questions]
    assert max(confidence_gaps) < 0.05


def test_every_example_question_is_read_in_the_same_language_as_with_scikit_learn(
    content, knowledge, sklearn_knowledge
):
    questions = [q for topic in content.topics.values() for text in topic.texts.values() for q in text.examples]
    questions += [q.upper() for q in questions[::7]]  # and some in capitals, as people type them
    ours, theirs = knowledge.detector, sklearn_knowledge.detector
    assert [ours.detect(q) for q in questions] == [theirs.detect(q) for q in questions]


def test_sample_weights_count_like_repeated_examples():
    """An example weighing 3 teaches what three copies of it teach."""
    features = csr_matrix(np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.2], [0.6, 0.8, 0.0], [0.3, 0.0, 0.9]]))
    weighted = train_svm(features, [True, False, False, True], c=0.5, weights=np.array([3.0, 1.0, 1.0, 1.0]))
    repeated_rows = csr_matrix(np.vstack([features.toarray()[[0, 0, 0]], features.toarray()[1:]]))
    repeated = train_svm(repeated_rows, [True, True, True, False, False, True], c=0.5)
    assert np.allclose(weighted[0], repeated[0], atol=1e-3) and abs(weighted[1] - repeated[1]) < 1e-3


def test_an_example_of_weight_zero_teaches_nothing():
    features = csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0], [0.7, 0.7], [0.9, 0.1]]))
    ignored = train_svm(features, [True, False, True, False], c=0.5, weights=np.array([1.0, 1.0, 1.0, 0.0]))
    without = train_svm(features[:3], [True, False, True], c=0.5)
    assert np.allclose(ignored[0], without[0]) and ignored[1] == pytest.approx(without[1])


def test_with_two_classes_each_class_scores_the_others_score_negated():
    features = csr_matrix(np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.2, 0.8]]))
    model = train_one_vs_rest(features, ["ky", "ky", "ru", "ru"], c=0.5)
    scores = features @ model.coef + model.intercept
    assert model.classes == ["ky", "ru"]
    assert np.allclose(scores[:, 0], -scores[:, 1])
    assert [model.classes[i] for i in scores.argmax(axis=1)] == ["ky", "ky", "ru", "ru"]


def test_a_classifier_needs_two_classes():
    with pytest.raises(ValueError):
        train_one_vs_rest(csr_matrix(np.eye(2)), ["ky", "ky"], c=0.5)
