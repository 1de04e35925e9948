"""Display helpers used by notebook.Context (minimal first version). All text is escaped."""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML, Markdown, display


def heading(text: str, level: int = 2) -> None:
    display(Markdown("#" * level + " " + html.escape(text)))


def paragraph(text: str) -> None:
    display(HTML(f"<p>{html.escape(text)}</p>"))


def table(df: pd.DataFrame, lang: str = "en", max_rows: int = 50) -> None:
    display(HTML(df.head(max_rows).to_html(index=False, escape=True, float_format=lambda x: f"{x:,.2f}")))
