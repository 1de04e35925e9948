"""Translations (`locale/<domain>.yaml`) and locale number formatting for English (`en`) and Chinese (`zh`).

Keys are `<domain>.<path>`: `market.trend.title` is looked up in `locale/market.yaml` under `trend: title:`,
whose leaf is `{en: ..., zh: ...}`. `common.yaml` holds what every step shares: display names (`names:`),
table headers (`columns:`), report and index UI. Step modules add `locale/<step>.yaml` and never edit
another domain's file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from planning.config import LOCALE_DIR

LANGUAGES = ("en", "zh")
DASH = "—"  # shown for missing numbers in every language

CURRENCY_SYMBOLS = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "HKD": "HK$", "JPY": "JP¥", "GBP": "£"}


@cache
def _domain(domain: str) -> dict:
    """Parsed `locale/<domain>.yaml` ({} when the file does not exist). Cached per process."""
    path = LOCALE_DIR / f"{domain}.yaml"
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def domains() -> list[str]:
    """Names of all locale files (without `.yaml`), for tests and tooling."""
    return sorted(p.stem for p in LOCALE_DIR.glob("*.yaml"))


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    return lang


def t(key: str, lang: str = "en", **fmt: Any) -> str:
    """Translate `domain.path.to.key` from `locale/<domain>.yaml` into `lang`, formatting `{names}` with fmt.

    Raises KeyError naming the file when the key or the language is missing (a typo must fail the notebook,
    not show a raw key to a regional manager).
    """
    _check_lang(lang)
    domain, _, rest = key.partition(".")
    node: Any = _domain(domain)
    for part in rest.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"no translation for {key!r} in locale/{domain}.yaml")
        node = node[part]
    if not isinstance(node, dict) or lang not in node:
        raise KeyError(f"{key!r} in locale/{domain}.yaml is not a leaf with an {lang!r} text")
    text = str(node[lang])
    if fmt and "|" in text:
        text = _PLURAL.sub(lambda m: _plural(m, fmt), text)
    return text.format(**fmt) if fmt else text


_DATA_LABELS: dict[str, str] = {}  # key -> the data's own text of it (`use_labels`)


def use_labels(labels: Mapping[str, Mapping[str, str]]) -> None:
    """Show the keys of the run's data by the data's own text where the workbook does not know them: `labels`
    is column -> key -> label (`data.read_labels`, written by the importer: `Office Supplies` for
    office_supplies). Set by `notebook.setup` for the data folder a notebook plans on (replacing earlier ones)."""
    _DATA_LABELS.clear()
    for col in labels.values():
        for key, label in col.items():
            _DATA_LABELS.setdefault(str(key), str(label))


# `{n|rep|reps}` in a text: "rep" when the value of `n` is 1, else "reps" (English plurals; `t` keeps `{n}`)
_PLURAL = re.compile(r"\{(\w+)\|([^|{}]*)\|([^|{}]*)\}")


def _plural(m: re.Match, fmt: dict[str, Any]) -> str:
    value = fmt.get(m.group(1))
    try:
        one = float(str(value).replace(",", "").strip()) == 1
    except ValueError:
        one = False
    return m.group(2) if one else m.group(3)


def name(kind: str, value: Any, lang: str = "en") -> str:
    """Display name of a value of `kind` (region, step, tier, stage, channel, lead_source, product_line,
    industry, size_band, kpi_status, swot, run_status) from `common.yaml` `names:` (a key the workbook knows,
    translated); else the data's own text of the key (`use_labels`: a customer's product names are never
    translated); else `any:` (the dimensions' "other"); else the value itself.
    """
    names_ = _domain("common").get("names", {})
    entry = names_.get(kind, {}).get(str(value))
    if entry and lang in entry:
        return str(entry[lang])
    if str(value) in _DATA_LABELS:
        return _DATA_LABELS[str(value)]
    entry = names_.get("any", {}).get(str(value))
    return str(entry[lang]) if entry and lang in entry else str(value)


_TEAM_KEY = re.compile(r"^(?P<region>[A-Za-z_]+)-(?P<n>\d+)$")


def team(key: Any, lang: str = "en") -> str:
    """Display name of a team key: "east-1" -> "East China team 1" / "华东 1 组" when its region has a display
    name (common.yaml names.region); any other key as it is (data teams keep the names the data gives them)."""
    m = _TEAM_KEY.match(str(key))
    if not m or name("region", m["region"], lang) == m["region"]:
        return str(key)
    return t("common.team", lang, region=name("region", m["region"], lang), n=m["n"])


def segment(value: Any, lang: str = "en") -> str:
    """Display name of a customer segment key: an industry, a size band or a combination such as
    "manufacturing/medium" -> "Manufacturing · Medium (100-999)". Unknown parts leave the value as it is.
    """
    parts = str(value).split("/")
    out = []
    for part in parts:
        shown = name("industry", part, lang)
        if shown == part:
            shown = name("size_band", part, lang)
        if shown == part:
            return str(value)
        out.append(shown)
    return " · ".join(out)


def names(kind: str, lang: str = "en") -> dict[str, str]:
    """All {value: display name} of `kind` in `lang` (e.g. for a chart legend's sort order or labelExpr)."""
    return {k: str(v[lang]) for k, v in _domain("common").get("names", {}).get(kind, {}).items()}


# ---------------------------------------------------------------------------------------------- numbers
def _missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return bool(math.isnan(x))
    except TypeError:
        return False


def number(x: Any, lang: str = "en", decimals: int | None = None) -> str:
    """Number with thousands separators (both locales use `,` and `.`): 12345.6 -> "12,346" or with decimals.

    `decimals=None` shows whole numbers without decimals and others with up to 2. None / NaN -> "—".
    """
    _check_lang(lang)
    if _missing(x):
        return DASH
    x = float(x)
    if decimals is None:
        decimals = 0 if x.is_integer() or abs(x) >= 1000 else 2
        text = f"{abs(x):,.{decimals}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
    else:
        text = f"{abs(x):,.{decimals}f}"
    return _sign(x, text) + text  # -0.001 with 2 decimals is "0.00", not "-0.00"


def pct(x: Any, lang: str = "en", decimals: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage: 0.153 -> "15.3%"; `signed` adds "+" to growth figures. None / NaN -> "—"."""
    _check_lang(lang)
    if _missing(x):
        return DASH
    x = float(x) * 100
    text = f"{abs(x):,.{decimals}f}"
    sign = _sign(x, text) or ("+" if signed else "")  # a rounded zero is "0.0%" / "+0.0%", never "-0.0%"
    return f"{sign}{text}%"


def money(x: Any, lang: str = "en", currency: str = "CNY", compact: bool = True, signed: bool = False) -> str:
    """Money in the locale. compact (sentences, headlines): zh ¥1,234.5万 / ¥1.23亿, en ¥12.3M / ¥1.2B / ¥45.6K;
    otherwise the full amount ¥12,345,000. Amounts under 10,000 are always in full. None / NaN -> "—".
    `signed` (changes, variances): "+" before a gain. An amount that rounds to nothing has no sign: "¥0", never
    "-¥0" or "+¥0".
    """
    _check_lang(lang)
    if _missing(x):
        return DASH
    x = float(x)
    text = _money(x, lang, currency, compact)
    return "+" + text if signed and x > 0 and any(c in "123456789" for c in text) else text


def _money(x: float, lang: str, currency: str, compact: bool) -> str:
    sym = CURRENCY_SYMBOLS.get(currency.upper(), currency.upper() + " ")
    a = abs(x)
    if not compact or a < 10_000:
        whole = f"{a:,.0f}"
        # A few cents of a variance round to 0: shown "¥0", never "-¥0" (the sign of nothing).
        return f"{_sign(x, whole)}{sym}{whole}"
    sign = "-" if x < 0 else ""
    if lang == "zh":
        # Chinese groups by 10^4 (万) and 10^8 (亿).
        if a >= 1e8:
            return f"{sign}{sym}{_trim(a / 1e8, 2)}亿"
        return f"{sign}{sym}{_trim(a / 1e4, 1)}万"
    for div, suffix, decimals in ((1e9, "B", 2), (1e6, "M", 1), (1e3, "K", 1)):
        if a >= div:  # billions keep two decimals: ¥1.03B, not a rounded ¥1B
            return f"{sign}{sym}{_trim(a / div, decimals)}{suffix}"
    return f"{sign}{sym}{a:,.0f}"  # pragma: no cover - a >= 10,000 always hits K


def _sign(x: float, shown: str) -> str:
    """"-" for a negative `x` whose text `shown` (without sign) is not zero once rounded, else ""."""
    return "-" if x < 0 and (any(c in "123456789" for c in shown) or not math.isfinite(x)) else ""


def _trim(v: float, decimals: int) -> str:
    """`v` with thousands separators and at most `decimals` decimals, trailing zeros dropped."""
    text = f"{v:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---------------------------------------------------------------------------------------------- columns
def column(col: str, lang: str = "en", domain: str = "common") -> str:
    """Header of one column: `locale/<domain>.yaml` `columns:`, then `common.yaml` `columns:`.

    Unknown columns fall back to the name with `_` as spaces (capitalised in English), so a missing
    translation is visible but readable.
    """
    _check_lang(lang)
    for d in dict.fromkeys((domain, "common")):
        entry = _domain(d).get("columns", {}).get(str(col))
        if isinstance(entry, Mapping) and lang in entry:
            return str(entry[lang])
    text = str(col).replace("_", " ")
    return text[:1].upper() + text[1:] if lang == "en" else text


def columns(df: Any, lang: str = "en", domain: str = "common") -> Any:
    """A copy of DataFrame `df` with translated column headers (see `column`). Data is unchanged."""
    return df.rename(columns={c: column(c, lang, domain) for c in df.columns})


def aside(text: str, note: str, lang: str = "en") -> str:
    """`text` with `note` in brackets after it: "Energy (+2.12 pp)" in English, "能源（+2.12 个百分点）" in Chinese
    (full-width brackets, no space: Chinese punctuation)."""
    return f"{text}（{note}）" if _check_lang(lang) == "zh" else f"{text} ({note})"


def listing(items: Iterable[str], lang: str = "en") -> str:
    """Items of a list in a sentence: "a, b" in English, "a、b" in Chinese (the enumeration comma)."""
    return ("、" if _check_lang(lang) == "zh" else ", ").join(items)


# ---------------------------------------------------------------------------------------------- voice
@dataclass(frozen=True)
class Voice:
    """How a step speaks: the report language and the company currency, bound once.

    Every step's sentence builders (`planning/<step>/narrate.py`) and translated views take a Voice as their last
    argument, `describe_trend(trend, voice)`; a notebook passes `ctx.voice`, a test `Voice("en", "CNY")`.
    """

    lang: str = "en"
    currency: str = "CNY"

    def __post_init__(self) -> None:
        _check_lang(self.lang)

    def t(self, key: str, **fmt: Any) -> str:
        return t(key, self.lang, **fmt)

    def name(self, kind: str, value: Any) -> str:
        return name(kind, value, self.lang)

    def team(self, key: Any) -> str:
        return team(key, self.lang)

    def segment(self, value: Any) -> str:
        return segment(value, self.lang)

    def number(self, x: Any, decimals: int | None = None) -> str:
        return number(x, self.lang, decimals)

    def pct(self, x: Any, decimals: int = 1, signed: bool = False) -> str:
        return pct(x, self.lang, decimals, signed)

    def money(self, x: Any, compact: bool = True, signed: bool = False) -> str:
        return money(x, self.lang, self.currency, compact, signed)

    def columns(self, df: Any, domain: str = "common") -> Any:
        return columns(df, self.lang, domain)

    def aside(self, text: str, note: str) -> str:
        return aside(text, note, self.lang)

    def listing(self, items: Iterable[str]) -> str:
        return listing(items, self.lang)

    def missing(self, tables: str | tuple[str, ...] | list[str], what: str, column: str = "") -> str:
        return missing_text(tables, what, self.lang, column)


def missing_text(tables: str | tuple[str, ...] | list[str], what: str, lang: str, column: str = "") -> str:
    """The sentence a report shows for a part it could not compute for lack of optional data (docs/data.md).

    `tables`: the table (or alternatives, any one of which would do) whose file would enable `what` (already
    translated text). With `column` (e.g. "rep_id"), the order lines' column is named as the other alternative.
    """
    names_ = (tables,) if isinstance(tables, str) else tuple(tables)
    sep = t("data.missing.or", lang)
    fmt = {
        "what": what,
        "tables": sep.join(t(f"data.tables.{n}", lang) for n in names_),
        "files": sep.join(f"{n}.csv / {n}.parquet" for n in names_),
    }
    if column:
        return t("data.missing.column", lang, column=column, **fmt)
    return t("data.missing.text", lang, **fmt)
