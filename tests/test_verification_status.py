"""A department's verification state and the sign-off it allows."""

from __future__ import annotations

import pytest

from survey.verification import LABELS, signoff_refusal, verification_state
from survey.verification.status import AWAITING_ADJUDICATION, AWAITING_SECOND, NOT_SAMPLED, SECOND_IN_PROGRESS, VERIFIED


@pytest.mark.parametrize("facts, state", [
    (dict(sampled=False, second_started=False, second_complete=False, settled=False), NOT_SAMPLED),
    (dict(sampled=True, second_started=False, second_complete=False, settled=False), AWAITING_SECOND),
    (dict(sampled=True, second_started=True, second_complete=False, settled=False), SECOND_IN_PROGRESS),
    (dict(sampled=True, second_started=True, second_complete=True, settled=False), AWAITING_ADJUDICATION),
    (dict(sampled=True, second_started=True, second_complete=True, settled=True), VERIFIED),
])
def test_state_from_the_facts(facts, state):
    assert verification_state(**facts) == state


def test_only_a_finished_or_unsampled_verification_allows_sign_off():
    assert signoff_refusal(NOT_SAMPLED) is None and signoff_refusal(VERIFIED) is None
    for state in (AWAITING_SECOND, SECOND_IN_PROGRESS, AWAITING_ADJUDICATION):
        message = signoff_refusal(state)
        assert LABELS[state] in message and "確認済にできません" in message
    with pytest.raises(ValueError, match="不明"):
        signoff_refusal("done")
