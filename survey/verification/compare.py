"""突合: two keyings of one paper form, compared variable by variable.

Each keying is read through its own route (the routing engine, as for the entry screens), so a
question one keyer's route passes is 非該当（経路外） in that keying, and a difference in a
routing answer shows as the differences it causes downstream. Differences come routing answers
first — the variables a skip condition looks at, since settling them decides which other
differences matter — then in form order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..answers import Value
from ..conditions import comparisons
from ..model import Questionnaire, QuestionType
from ..routing import Route, Router
from .cells import Cell, Variable, question_variables, value_cells

__all__ = ["Comparer", "Comparison", "Difference", "routing_variables"]

Answers = Mapping[str, Value]


@dataclass(frozen=True, slots=True)
class Difference:
    variable: Variable
    first: Cell
    second: Cell
    routing: bool  # a skip condition looks at this variable

    @property
    def name(self) -> str:
        return self.variable.name

    @property
    def question(self) -> str:
        return self.variable.question

    def __str__(self) -> str:
        return f"{self.variable.label or self.name}: {self.first.describe()} ／ {self.second.describe()}"


@dataclass(frozen=True)
class Comparison:
    differences: tuple[Difference, ...]
    first_route: Route
    second_route: Route
    first_cells: tuple[Cell, ...]  # every variable, aligned with Comparer.variables
    second_cells: tuple[Cell, ...]

    @property
    def identical(self) -> bool:
        return not self.differences

    @property
    def route_differs(self) -> tuple[str, ...]:
        """Questions on one keying's route and off the other's."""
        return tuple(
            q for q in self.first_route.all_ids if (q in self.first_route) != (q in self.second_route)
        )

    def difference(self, name: str) -> Difference | None:
        return next((d for d in self.differences if d.name == name), None)


def routing_variables(questionnaire: Questionnaire, variables_: tuple[Variable, ...]) -> frozenset[str]:
    """The variables whose content a skip condition reads.

    A matrix row named in a condition is that row's variable; ``Q4 has 1`` reads only the tick
    of option 1, while ``=``, ``!=`` and ``in`` on a multi-choice question read every tick.
    """
    names: set[str] = set()
    for skip in questionnaire.skips:
        for compare in comparisons(skip.when):
            question = questionnaire.question(compare.ref.question)
            for v in variables_:
                if v.question != question.id or not v.main:
                    continue
                if compare.ref.row is not None:
                    hit = v.key == compare.ref.row
                elif question.type is QuestionType.MULTI and compare.op == "has":
                    hit = v.key == compare.codes[0]
                else:
                    hit = True
                if hit:
                    names.add(v.name)
    return frozenset(names)


class Comparer:
    """Comparison for one questionnaire; build once and reuse (it holds the router)."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        self.router = Router(questionnaire)
        spans = []
        flat: list[Variable] = []
        for question in questionnaire.questions:
            own = question_variables(question)
            spans.append((question, own, len(flat)))
            flat += own
        self.variables: tuple[Variable, ...] = tuple(flat)
        self._spans = tuple(spans)
        self.index = {v.name: i for i, v in enumerate(self.variables)}
        self.by_question = {q.id: (start, start + len(own)) for q, own, start in spans}
        self.routing = routing_variables(questionnaire, self.variables)
        routing_first = [i for i, v in enumerate(self.variables) if v.name in self.routing]
        rest = [i for i, v in enumerate(self.variables) if v.name not in self.routing]
        self.order = tuple(routing_first + rest)

    def cells(self, answers: Answers, route: Route | None = None) -> tuple[Route, tuple[Cell, ...]]:
        """One keying's route and every variable's cell, read through that route."""
        route = route if route is not None else self.router.route(answers)
        out: list[Cell] = []
        for question, own, _ in self._spans:
            out += value_cells(question, own, answers.get(question.id), question.id in route)
        return route, tuple(out)

    def question_cells(self, question_id: str, value: Value | None, on_route: bool = True) -> tuple[Cell, ...]:
        """One question's cells for a value (what the live check compares)."""
        question = self.questionnaire.question(question_id)
        start, end = self.by_question[question_id]
        return value_cells(question, self.variables[start:end], value, on_route)

    def compare(self, first: Answers, second: Answers) -> Comparison:
        first_route, first_cells = self.cells(first)
        second_route, second_cells = self.cells(second)
        differences = tuple(
            Difference(self.variables[i], first_cells[i], second_cells[i], self.variables[i].name in self.routing)
            for i in self.order
            if first_cells[i] != second_cells[i]
        )
        return Comparison(differences, first_route, second_route, first_cells, second_cells)
