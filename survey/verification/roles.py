"""The four-eyes rules of double entry: who may key the second time, who may adjudicate.

Names are compared by ``survey.people.person_key``, so ``田中　太郎`` and ``田中太郎`` are one
person. Each function returns the Japanese refusal, or None when the person may go ahead.
"""

from __future__ import annotations

from ..people import person_key

__all__ = ["verifier_refusal", "adjudicator_refusal"]


def _missing(*names: str) -> str | None:
    if any(not person_key(name or "") for name in names):
        return "作業者の名前がありません。名前を入力してください。"
    return None


def verifier_refusal(first_keyer: str, verifier: str) -> str | None:
    """The second, blind keying must be done by someone other than the first keyer."""
    if (problem := _missing(first_keyer, verifier)) is not None:
        return problem
    if person_key(first_keyer) == person_key(verifier):
        return f"照合入力は、最初に入力した人（{first_keyer}）とは別の人が行ってください。"
    return None


def adjudicator_refusal(first_keyer: str, second_keyer: str, adjudicator: str) -> str | None:
    """The adjudicator is neither keyer."""
    if (problem := _missing(first_keyer, second_keyer, adjudicator)) is not None:
        return problem
    key = person_key(adjudicator)
    for role, name in (("最初の入力", first_keyer), ("照合入力", second_keyer)):
        if person_key(name) == key:
            return f"突合は、{role}をした人（{name}）以外の人が行ってください。"
    return None
