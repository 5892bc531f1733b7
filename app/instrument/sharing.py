"""Questions shared between questionnaires: asked once, shown once, counted once.

Some questions belong to two questionnaires (senior management reviewing CRM progress is
both Gartner's metrics and the leadership condition). Each questionnaire keeps its copy,
so that it is complete on its own; the copy in one of them declares ``same_as`` the
other's. When an assessment uses both, the declaring copy is left out of its dimension:
the respondent answers the question once, in the other questionnaire, and it counts
once, there. docs/scoring.md, "Questions shared between questionnaires", has the rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.instrument.definitions import Item, Questionnaire

ItemKey = tuple[str, str]  # (questionnaire id, item id)


def used_together(questionnaires: Sequence[Questionnaire]) -> list[Questionnaire]:
    """The questionnaires as one assessment uses them: without the copies that give way
    to a questionnaire of the same assessment. Applying it again changes nothing."""
    left_out = _giving_way(questionnaires)
    if not left_out:
        return list(questionnaires)
    return [_without(questionnaire, left_out) for questionnaire in questionnaires]


def sharing_problems(
    questionnaire: Questionnaire, others: Sequence[Questionnaire]
) -> list[tuple[str, str]]:
    """Problems of ``questionnaire``'s ``same_as`` references to ``others``, as (path,
    message). A reference to a questionnaire not among them is not checked: it only
    matters when both are used together, and then ``used_together`` checks it."""
    by_id = {other.id: other for other in others}
    problems = []
    for d, dimension in enumerate(questionnaire.dimensions):
        for i, item in enumerate(dimension.items):
            if item.same_as is None or item.same_as.questionnaire not in by_id:
                continue
            where = f"dimensions[{d}].items[{i}].same_as"
            home = by_id[item.same_as.questionnaire]
            target = _item(home, item.same_as.item)
            name = f"{home.id}'s {item.same_as.item}"
            if target is None:
                problems.append((where, f"{home.id} has no item {item.same_as.item!r}"))
            elif target.same_as is not None:
                problems.append((where, f"{name} is itself the same as another item"))
            elif _question(questionnaire, item) != _question(home, target):
                problems.append(
                    (
                        where,
                        f"the statement, help, scale, reverse and allow_na must be those of "
                        f"{name}: it is answered once for both",
                    )
                )
    return problems


def _giving_way(questionnaires: Sequence[Questionnaire]) -> set[ItemKey]:
    """The items whose ``same_as`` names an identical item of another of these
    questionnaires, one that does not itself give way."""
    by_id = {questionnaire.id: questionnaire for questionnaire in questionnaires}
    left_out = set()
    for questionnaire in questionnaires:
        for dimension in questionnaire.dimensions:
            for item in dimension.items:
                shared = item.same_as
                home = by_id.get(shared.questionnaire) if shared else None
                target = _item(home, shared.item) if home else None
                if (
                    target is not None
                    and target.same_as is None
                    and _question(questionnaire, item) == _question(home, target)
                ):
                    left_out.add((questionnaire.id, item.id))
    return left_out


def _without(questionnaire: Questionnaire, left_out: set[ItemKey]) -> Questionnaire:
    dimensions = [
        dimension.model_copy(
            update={
                "items": [
                    item for item in dimension.items if (questionnaire.id, item.id) not in left_out
                ]
            }
        )
        for dimension in questionnaire.dimensions
    ]
    return questionnaire.model_copy(update={"dimensions": dimensions})


def _item(questionnaire: Questionnaire, item_id: str) -> Item | None:
    return next(
        (item for d in questionnaire.dimensions for item in d.items if item.id == item_id), None
    )


def _question(questionnaire: Questionnaire, item: Item) -> tuple:
    """What a respondent sees and answers: one answer serves two items only if this is
    the same for both."""
    return (
        item.statement,
        item.help,
        questionnaire.scales.get(item.scale),
        item.reverse,
        item.allow_na,
    )
