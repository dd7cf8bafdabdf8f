"""What a person keys on one department's entry screen, for 入力者統計 (keyer statistics).

Keystrokes are kept here and stored with the next accepted answer, in the same transaction:
a killed process loses at most the keystrokes of the field being typed, as it loses the field.
A field is *accepted* once each time its question is shown and a complete answer is stored
(a code, then its option's text box, is one field); it is a *correction* when it replaces a
different complete answer that was recorded when the question was shown. Moving through
recorded questions stores nothing, so it counts nothing.
"""

from __future__ import annotations

from datetime import datetime

from survey.answers import Value, is_complete
from survey.model import Question
from survey.verification.stats import CORRECTION, FIELD_ACCEPTED, KEYSTROKE, Event

__all__ = ["KeyingLog"]


class KeyingLog:
    def __init__(self, who: str, department_id: int) -> None:
        self.who = who
        self.department = str(department_id)  # the store keeps events by department id
        self._pending: list[Event] = []
        self._shown: tuple[str, Value | None] | None = None  # the question on screen, its value then
        self._accepted = False
        self._field_done = False

    def _event(self, kind: str, field: str, keyer: str | None = None) -> Event:
        return Event(self.who, datetime.now().astimezone(), self.department, kind, field, keyer)

    def keystroke(self, question_id: str) -> None:
        self._pending.append(self._event(KEYSTROKE, question_id))

    def add(self, events: list[Event]) -> None:
        """Events decided on the screen (the live check's verdicts), stored with the next answer."""
        self._pending.extend(events)

    def shown(self, question_id: str, value: Value | None) -> None:
        self._shown = (question_id, value)
        self._accepted = False

    def accepted(self, question: Question, new: Value, extra: list[Event] | None = None) -> list[Event]:
        """The events to store with this answer: keystrokes so far, the field, a correction.

        Nothing is forgotten until ``stored()``: a refused answer keeps its keystrokes pending.
        """
        events = list(self._pending)
        self._field_done = False
        if not self._accepted and is_complete(question, new):
            events.append(self._event(FIELD_ACCEPTED, question.id))
            self._field_done = True
            shown = self._shown[1] if self._shown and self._shown[0] == question.id else None
            if shown is not None and shown != new and is_complete(question, shown):
                events.append(self._event(CORRECTION, question.id))
        return events + (extra or [])

    def stored(self) -> None:
        self._pending = []
        self._accepted = self._accepted or self._field_done

    def take(self) -> list[Event]:
        events, self._pending = self._pending, []
        return events

    @property
    def keystrokes(self) -> int:
        return sum(1 for e in self._pending if e.kind == KEYSTROKE)
