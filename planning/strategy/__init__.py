"""Step 3, strategy (策略制定): who to serve how, and what pipeline the plan year needs.

Where each concept of the method (docs/method: 3. Strategy) lives:

- customer tiering, extended RFM (recency, frequency, monetary + demand complexity, decision-chain length,
  growth potential) -> strategic / profit / nurture / maintain, what each tier carries next year ... `tiers`
- the tier scatter's grid (every customer counted, data bounded by the grid) ................... `scatter`
- the installed base: net revenue retention, gross churn, a new customer's first-year revenue,
  the plan year's target ........................................................................ `retention`
- the funnel: lead -> needs discovery -> proposal -> negotiation -> won, conversion and cycle time per
  stage, the bottleneck, win rates by segment ...................................................... `funnel`
- pipeline coverage (pipeline needed = target / win rate), leads to generate by when, acquisition
  mix by lead source (cost per lead) ............................................................... `coverage`
- customer health score (usage, satisfaction, renewal intent, order trend), churn warning, revenue
  at risk ............................................................................................ `health`
- 4P (product, price, place = channel, promotion) linked to step 2's goals, the channel mix ......... `fourp`
- order columns read, shared input checks and date windows .......................................... `history`

Compute modules take tables and params (the `strategy` section, or the whole `Params` when they need `as_of` /
`plan_year`) and return frames or dicts. Above them: `narrate` (sentences, and the planner's playbook / action /
4P texts put into the frames: the `customer_tiers` and `health` artefacts), `charts` (Altair), `widgets` (the
what-if panel); notebooks/03_strategy.py tells the story.
"""

from planning.strategy.history import ORDER_COLUMNS

__all__ = ["ORDER_COLUMNS"]
