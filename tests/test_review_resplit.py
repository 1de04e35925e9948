"""planning/review/resplit.py: the re-split of the remaining target and its 80% flag."""

from __future__ import annotations

import pandas as pd
import pytest
from frames_review import AS_OF, tiny_orders, tiny_plan

from planning import params
from planning.review import resplit
from planning.review.variance import plan_vs_actual


def test_resplit_spreads_the_remaining_target_over_the_remaining_months():
    the_plan = tiny_plan()
    pva = plan_vs_actual(tiny_orders(), the_plan, AS_OF)
    rs = resplit.resplit(pva, the_plan, AS_OF)
    # 1,300 - 210 = 1,090 left over February's unelapsed 100 + ten months of 100 = 1,100 of original plan
    assert rs["resplit"].sum() == pytest.approx(1090.0)
    assert rs["plan"].sum() == pytest.approx(1100.0)
    assert rs["resplit"].iloc[0] == pytest.approx(1090 * 100 / 1100)
    assert list(rs["month"])[:2] == ["2026-02", "2026-03"]


@pytest.mark.parametrize(("completion", "required"), [(0.799, True), (0.80, False), (1.2, False)])
def test_resplit_flag_at_the_80_percent_boundary(completion, required):
    pva = pd.DataFrame({"level": ["qtd"], "key": ["2026-Q3"], "completion": [completion]})
    check = resplit.resplit_check(pva, params.Review())
    assert check.required is required and check.quarter == "2026-Q3"


def test_resplit_check_without_a_quarter_is_not_required():
    check = resplit.resplit_check(pd.DataFrame({"level": ["ytd"], "key": ["2026"], "completion": [0.5]}),
                                  params.Review())  # fmt: skip
    assert check.quarter == "" and not check.required
