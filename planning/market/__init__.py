"""Step 1, market analysis (notebooks/01_market_analysis): where each part of the method lives.

Compute (pure: canonical tables and params in, DataFrames out; no i18n, display, altair or ipywidgets):
- `periods`     L12M / P12M windows every figure is anchored on; `ORDER_COLUMNS`, the order-line columns read.
- `trend`       market trend, our side: monthly sales history, YoY and MoM growth, the breakdown by product line
                and channel, seasonality (month-of-year index); the company's sales by region.
                Artefacts `market_trend`, `seasonality`.
- `share`       market size (TAM, from data or params) and our market share per industry; the plan-year TAM.
                Artefact `market_share`.
- `segments`    segmentation and the ideal customer profile (ICP): sales, CLV, win rate, growth, ICP rank.
                Artefact `segments`.
- `competitors` the competitors' strengths-weaknesses matrix, differentiation openings, and the market
                increment carried into the goals step. Artefacts `competitors`, `market_increment`.
- `needs`       customer needs and pain points (params) linked to segments; unmet needs -> sales scenarios.
- `swot`        SWOT entries from params plus the signals the data gives. Artefact `swot`.

Said, drawn, played with (imports run one way: compute <- narrate <- charts <- widgets <- notebook):
- `narrate`     sentences (`describe_*`), display names, the wording of the increment and SWOT artefacts.
- `views`       the translated display tables.
- `charts`      the step's Altair charts.
- `widgets`     the JupyterLab what-if panel.
"""

from planning.market.periods import ORDER_COLUMNS

__all__ = ["ORDER_COLUMNS"]
