"""Button actions survive the trip through a client and back; anything else is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.actions import (
    ACTIONS,
    AskHuman,
    ChooseCountry,
    ChooseLanguage,
    Consent,
    OpenTopic,
    RateAnswer,
    RateTicket,
    ShowGroup,
    ShowMenu,
    owner_tag,
    unpack,
)
from handlers.replies import MAX_CALLBACK_BYTES

EXAMPLES = [
    ShowMenu(),
    ShowGroup("rights_abroad"),
    ShowGroup("rights_abroad", 0),
    ShowGroup("family", 3),
    OpenTopic("registration"),
    ChooseLanguage("ky"),
    ChooseCountry("RU"),
    ChooseCountry("KZ", "registration"),
    RateAnswer(True, "unpaid_wages"),
    RateAnswer(False, "unpaid_wages"),
    AskHuman(),
    Consent(True, owner_tag("k1:abc")),
    Consent(False, owner_tag("k1:abc")),
    RateTicket(12, 5),
]


@pytest.mark.parametrize("action", EXAMPLES, ids=repr)
def test_every_action_packs_small_and_unpacks_to_itself(action):
    data = action.pack()
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert unpack(data) == action


def test_each_prefix_belongs_to_one_action():
    assert len(ACTIONS) == len({cls.prefix for cls in ACTIONS.values()})


@pytest.mark.parametrize(
    "data",
    [
        "g:rights_abroad:²",
        "g:rights_abroad:" + "9" * 5000,
        "g:rights_abroad:-1",
        "t:Saltanat Abdieva",
        "t:",
        "t",
        "m:extra",
        "f:2:registration",
        "hc:y",
        "hr:1",
        "hr:x:5",
        "c:RU:registration:more",
        "",
        "zz:1",
        "l:ky\n",
        "t:registration ",
        "g:a:1:2",
    ],
)
def test_malformed_data_is_not_an_action(data):
    assert unpack(data) is None


@given(st.text(max_size=100))
def test_unpacking_any_text_never_raises(data):
    action = unpack(data)
    assert action is None or unpack(action.pack()) == action


def test_an_action_too_big_for_a_button_is_refused_when_built():
    with pytest.raises(ValueError):
        OpenTopic("x" * 70).pack()
