"""One registry of calculators (content/calculators.py), used by the validator and the core."""

from __future__ import annotations

import pytest

from content.calculators import CALCULATORS, Calculator
from handlers.understanding.dates import scan_dates
from tests.conftest import TODAY

# For each calculator, messages a migrant might send, covering the shapes of its answer.
MESSAGES = {
    "registration_deadline": ["приехал 03.11", "30.10до келдим", "arrived 29 Feb"],
    "job_change_deadline": ["приехал 01.08, уволили 20.11", "уволили 14.11", "arrived 3 November"],
}


def test_every_declared_calculator_is_implemented_by_the_core():
    import handlers.understanding.calculators  # noqa: F401 - attaches the functions

    assert set(MESSAGES) == set(CALCULATORS)
    assert all(calculator.compute is not None for calculator in CALCULATORS.values())


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_a_calculator_hands_templates_exactly_the_names_it_declares(name):
    import handlers.understanding.calculators  # noqa: F401

    for message in MESSAGES[name]:
        calc = CALCULATORS[name](scan_dates(message), TODAY)
        assert calc is not None, message
        assert set(calc) == set(CALCULATORS[name].provides), message


def test_a_sample_that_does_not_match_what_the_calculator_provides_is_refused_at_once():
    with pytest.raises(ValueError, match="a sample gives"):
        Calculator("broken", provides=("deadline",), samples=({"deadline": None, "extra": 1},))


def test_a_calculator_without_its_function_says_so_instead_of_answering_nothing():
    with pytest.raises(LookupError, match="no implementation"):
        Calculator("declared_only", provides=(), samples=())(scan_dates("03.11"), TODAY)
