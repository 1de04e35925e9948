"""Training by level: new hires (product and basic selling), core reps (key-account negotiation, teamwork) and
managers (coaching), priced per person from `resources.training_per_person`. The cost lines go into the cost of
sales (`budget.cost_of_sales`); the training tasks into the action plan (`actions.derived_tasks`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planning.params import Resources

#: The training levels, in the order the cost of sales lists them (keys of `resources.training_per_person`).
LEVELS = ("new_hires", "core", "managers")


def training_costs(
    new_hires: int, core: int, managers: int, r: Resources
) -> list[tuple[str, str, float, str]]:
    """The training lines of the cost of sales: (category "training", item "training_<level>", amount, basis).

    Reads `resources.training_per_person` (level -> cost per person; a missing level costs 0). In: the head
    count of each level (the plan's new hires, the current quota reps, the managers).
    """
    rows = []
    for level, count in zip(LEVELS, (new_hires, core, managers), strict=True):
        rate = float(r.training_per_person.get(level, 0.0))
        rows.append(("training", f"training_{level}", count * rate, f"{count} x {rate:,.0f}"))
    return rows
