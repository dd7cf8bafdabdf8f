"""The routing engine: which questions a department answers, from the answers recorded so far.

One engine decides every skip for the entry screens, the store, the review and the export.

The route is found by walking the form as the paper does: question after question, taking a
skip ("※ …に進んでください") when its condition holds. Before each question, every skip over it
is looked at, also one from a question that was itself passed over: a question is asked exactly
when no skip over it holds, which is how an XLSForm's ``relevant`` reads. An answer that is not known (not yet
entered, blank on paper or unusable) cannot settle a condition, so the walk forks over the
values that answer could have and follows every branch. A question reached on every branch is
on the route; one reached on some branches only is *pending* (未確定): still asked, because the
paper will show whether the department answered it; one reached on none is off the route
(非該当). Forking on whole walks keeps correlated skips exact: with Q1 blank, Q19–Q23 are on
both branches and stay settled, while Q2–Q18 are pending.

A blank routing question marked ``on_blank = "choose_route"`` (Q1) takes the option the clerk
chose in ``route_as``; until then the engine lists it in ``Route.awaiting_choice``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import product

from .answers import Blank, Grid, Invalid, Multi, NotApplicable, Number, Single, Value
from .conditions import Ref, comparisons, evaluate
from .model import MAX_ROWS, Question, Questionnaire, QuestionType

__all__ = ["Route", "RouteChange", "Router", "expected_rows", "known_codes", "row_route"]

ON, PENDING, OFF = "on", "pending", "off"

Answers = Mapping[str, Value]


@dataclass(frozen=True)
class Route:
    """The questions on one department's route, in form order."""

    order: tuple[str, ...]
    pending: frozenset[str]
    undecided_by: tuple[str, ...]
    awaiting_choice: tuple[str, ...]
    all_ids: tuple[str, ...]

    def __contains__(self, question_id: object) -> bool:
        return question_id in self.order

    def __iter__(self):
        return iter(self.order)

    def __len__(self) -> int:
        return len(self.order)

    def status(self, question_id: str) -> str:
        """"on", "pending" (asked, route not settled) or "off" (非該当)."""
        if question_id not in self.order:
            return OFF
        return PENDING if question_id in self.pending else ON

    def off(self) -> tuple[str, ...]:
        return tuple(q for q in self.all_ids if q not in self.order)

    def next(self, question_id: str | None) -> str | None:
        """The route's question after ``question_id`` (the first when None); None at the end."""
        if question_id is None:
            return self.order[0] if self.order else None
        position = self.all_ids.index(question_id)
        return next((q for q in self.all_ids[position + 1 :] if q in self.order), None)

    def previous(self, question_id: str) -> str | None:
        position = self.all_ids.index(question_id)
        return next((q for q in reversed(self.all_ids[:position]) if q in self.order), None)


@dataclass(frozen=True)
class RouteChange:
    """What changing one answer does to the route."""

    before: Route
    after: Route
    leaving: tuple[str, ...]  # recorded answers that the change takes off the route
    entering: tuple[str, ...]  # questions the change puts on the route


def known_codes(ref: Ref, answers: Answers) -> frozenset[int] | None:
    """The codes a recorded answer holds for routing; None when it cannot say.

    Blank or unusable answers say nothing, unless the clerk chose the route (``route_as``);
    非該当 holds no code.
    """
    value = answers.get(ref.question)
    if value is None:
        return None
    if isinstance(value, (Blank, Invalid)):
        return None if value.route_as is None else frozenset({value.route_as})
    if isinstance(value, NotApplicable):
        return frozenset()
    if isinstance(value, Single):
        return frozenset({value.code})
    if isinstance(value, Multi):
        return value.codes
    if isinstance(value, Grid):
        cell = value.cells.get(ref.row or "")
        return frozenset({cell}) if isinstance(cell, int) else None
    return None


class Router:
    """Routing for one questionnaire. Pure: answers in, routes out."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        self.ids = questionnaire.ids
        # The skips that pass over each question. A question is asked unless one of them holds:
        # also one whose own question was passed over by another skip, so a question is on the
        # route exactly when every skip over it fails (XLSForm's relevant reads the same way).
        self._over = [
            tuple(
                (i, s) for i, s in enumerate(questionnaire.skips)
                if questionnaire.position(s.at) < position < questionnaire.position(s.to)
            )
            for position in range(len(self.ids))
        ]
        # For each variable a skip looks at, one representative value per class of values
        # that no skip condition can tell apart: the walk forks over these only.
        compares_by_ref: dict[Ref, list] = {}
        for skip in questionnaire.skips:
            for compare in comparisons(skip.when):
                compares_by_ref.setdefault(compare.ref, []).append(compare)
        self._representatives = {
            ref: self._classes(ref, compares) for ref, compares in compares_by_ref.items()
        }

    def _classes(self, ref: Ref, compares: list) -> tuple[frozenset[int], ...]:
        question = self.questionnaire.question(ref.question)
        if question.type is QuestionType.MULTI:
            referenced = sorted({c.codes[0] for c in compares})
            spare = [code for code in question.codes if code not in referenced][:1]
            candidates = []
            for ticks in product((False, True), repeat=len(referenced)):
                chosen = {code for code, tick in zip(referenced, ticks) if tick}
                candidates.append(frozenset(chosen or spare))
            return tuple(c for c in dict.fromkeys(candidates) if c)
        seen: dict[tuple[bool, ...], frozenset[int]] = {}
        for code in question.codes:
            chosen = frozenset({code})
            seen.setdefault(tuple(c.holds(chosen) for c in compares), chosen)
        return tuple(seen.values())

    # -- the walk ------------------------------------------------------------------------------
    def _walks(self, answers: Answers) -> tuple[list[tuple[str, ...]], set[str]]:
        """Every path through the form that the answers allow, and the questions forked on."""
        paths: list[tuple[str, ...]] = []
        forked: set[str] = set()
        # Each branch: where it is, the values it assumed, its path, and the skips already found
        # not to hold on it (their answers are behind the walk: they cannot change).
        stack: list[tuple[int, dict[Ref, frozenset[int]], tuple[str, ...], frozenset]] = [(0, {}, (), frozenset())]
        while stack:
            position, assumed, path, failed = stack.pop()
            failed = set(failed)
            while position < len(self.ids):
                qid = self.ids[position]
                over = [(i, skip) for i, skip in self._over[position] if i not in failed]
                if not over:
                    path += (qid,)
                    position += 1
                    continue
                reached = set(path)

                def lookup(ref: Ref) -> frozenset[int] | None:
                    if ref.question not in reached:
                        return frozenset()  # off this path: nothing chosen
                    if ref in assumed:
                        return assumed[ref]
                    return known_codes(ref, answers)

                target = None
                fork = None
                for i, skip in over:
                    holds = evaluate(skip.when, lookup)
                    if holds is None:
                        fork = next(
                            c.ref for c in comparisons(skip.when)
                            if c.ref.question in reached and lookup(c.ref) is None
                        )
                        break
                    if holds:
                        target = skip.to
                        break
                    failed.add(i)
                if fork is not None:
                    forked.add(fork.question)
                    for value in self._representatives[fork]:
                        stack.append((position, {**assumed, fork: value}, path, frozenset(failed)))
                    break
                if target:
                    position = self.questionnaire.position(target)
                    continue
                path += (qid,)
                position += 1
            else:
                paths.append(path)
        return paths, forked

    def route(self, answers: Answers) -> Route:
        paths, forked = self._walks(answers)
        everywhere = set.intersection(*(set(p) for p in paths))
        anywhere = set().union(*paths)
        order = tuple(q for q in self.ids if q in anywhere)
        awaiting = tuple(
            qid for qid in self.ids
            if qid in forked
            and self.questionnaire.question(qid).chooses_route_when_blank
            and isinstance(answers.get(qid), (Blank, Invalid))
        )
        return Route(
            order=order,
            pending=frozenset(anywhere - everywhere),
            undecided_by=tuple(q for q in self.ids if q in forked),
            awaiting_choice=awaiting,
            all_ids=self.ids,
        )

    def change(self, answers: Answers, question_id: str, value: Value | None) -> RouteChange:
        """The effect of recording ``value`` for ``question_id`` (None: erasing it)."""
        before = self.route(answers)
        changed = dict(answers)
        if value is None:
            changed.pop(question_id, None)
        else:
            changed[question_id] = value
        after = self.route(changed)
        leaving = tuple(
            q for q in self.ids
            if q in answers and q != question_id and q in before and q not in after
        )
        entering = tuple(q for q in after.order if q not in before)
        return RouteChange(before, after, leaving, entering)

    def row_route(self, question_id: str, row: Answers) -> dict[str, str]:
        """Within one row of a repeat: each field ON, PENDING or OFF (see ``row_route``)."""
        return row_route(self.questionnaire.question(question_id), row)

    def off_route(self, answers: Answers) -> tuple[str, ...]:
        """Recorded answers that are not on the route (kept for the audit log, never tallied)."""
        route = self.route(answers)
        return tuple(q for q in self.ids if q in answers and q not in route)


# -- inside a repeat's row ---------------------------------------------------------------------


def row_route(question: Question, row: Answers) -> dict[str, str]:
    """Each field of one row of a repeat: ON, PENDING or OFF (非該当 in this row).

    The same rules as the form's route, within the row: a field is asked unless its
    ``relevant`` (a condition on the row's earlier fields) is false; a field whose condition an
    unknown answer leaves open (not yet keyed, blank, 無効) is still asked (pending); a field
    off the row's route holds nothing chosen for the fields after it.
    """
    status: dict[str, str] = {}

    def lookup(ref: Ref) -> frozenset[int] | None:
        if status.get(ref.question) == OFF:
            return frozenset()
        return known_codes(ref, row)

    for field in question.fields:
        holds = True if field.relevant is None else evaluate(field.relevant, lookup)
        status[field.id] = ON if holds is True else PENDING if holds is None else OFF
    return status


def expected_rows(question: Question, answers: Answers) -> int | None:
    """How many rows a repeat's ``repeat_count`` asks for: its number, the number answered to
    the question it names (up to MAX_ROWS), or None when that is not known or not stated."""
    count = question.repeat_count
    if count is None or isinstance(count, int):
        return count
    value = answers.get(count)
    if isinstance(value, Number) and value.value == value.value.to_integral_value() and value.value >= 0:
        return min(int(value.value), MAX_ROWS)
    return None
