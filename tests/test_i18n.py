"""planning.i18n: locale files complete in both languages, lookups, locale number formatting."""

from __future__ import annotations

import math
import string
from pathlib import Path

import pandas as pd
import pytest

from planning import i18n

# Values the data and params use (docs/data.md, METHOD.md): every one needs a display name in both languages.
KINDS = {
    "region": ["east", "north", "south", "central", "southwest", "northeast"],
    "step": ["01_market_analysis", "02_goals", "03_strategy", "04_resources", "05_review"],
    "tier": ["strategic", "profit", "nurture", "maintain"],
    "stage": ["lead", "discovery", "proposal", "negotiation", "won", "lost"],
    "channel": ["direct", "partner", "online"],
    "lead_source": ["content", "events", "referral", "partner_leads"],
    "product_line": ["equipment", "spare_parts", "services", "software"],
    "industry": ["manufacturing", "energy", "healthcare", "retail", "logistics", "education"],
    "size_band": ["small", "medium", "large"],
    "kpi_status": ["green", "yellow", "red"],
    "swot": ["strengths", "weaknesses", "opportunities", "threats"],
}


def _leaves(node, path=()):
    """(path, leaf) for every {en, zh} leaf; anything else that is not a dict is yielded as a broken leaf."""
    if isinstance(node, dict) and ("en" in node or "zh" in node):
        yield path, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, str(k)))
    else:
        yield path, node


def _fields(text: str) -> set[str]:
    text = i18n._PLURAL.sub(r"{\1}", text)  # `{n|rep|reps}` is a plural of `{n}`, not a field of its own
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("domain", i18n.domains())
def test_every_key_has_english_and_chinese(domain: str) -> None:
    leaves = list(_leaves(i18n._domain(domain)))
    assert leaves, f"locale/{domain}.yaml is empty"
    for path, leaf in leaves:
        where = f"{domain}.{'.'.join(path)}"
        assert isinstance(leaf, dict) and set(leaf) == {"en", "zh"}, where
        assert str(leaf["en"]).strip() and str(leaf["zh"]).strip(), where
        assert _fields(str(leaf["en"])) == _fields(str(leaf["zh"])), f"{where}: placeholders differ"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_names_cover_every_value(kind: str) -> None:
    for value in KINDS[kind]:
        en, zh = i18n.name(kind, value, "en"), i18n.name(kind, value, "zh")
        assert en != value and en[0].isupper(), (kind, value)
        assert zh != en and not zh.isascii(), (kind, value)


def test_name_of_unknown_value_is_the_value() -> None:
    assert i18n.name("region", "atlantis", "zh") == "atlantis"
    assert i18n.name("no_such_kind", 7, "en") == "7"
    assert i18n.names("tier", "zh")["strategic"] == "战略客户"


def test_t_formats_and_fails_loudly() -> None:
    assert i18n.t("common.index.summary", "en", ok=3, total=5) == "3 of 5 reports produced"
    assert i18n.t("common.index.summary", "zh", ok=3, total=5) == "已生成 3/5 份报告"
    with pytest.raises(KeyError, match="common.nope"):
        i18n.t("common.nope", "en")
    with pytest.raises(KeyError, match="locale/market_typo.yaml"):
        i18n.t("market_typo.x", "en")
    with pytest.raises(KeyError, match="leaf"):
        i18n.t("common.report", "en")
    with pytest.raises(ValueError, match="language"):
        i18n.t("common.report.contents", "fr")


@pytest.mark.parametrize(
    ("x", "lang", "compact", "expected"),
    [
        (12_345_000, "zh", True, "¥1,234.5万"),
        (12_345_000, "zh", False, "¥12,345,000"),
        (150_000_000, "zh", True, "¥1.5亿"),
        (123_456_789_000, "zh", True, "¥1,234.57亿"),
        (9_876, "zh", True, "¥9,876"),
        (12_345_000, "en", True, "¥12.3M"),
        (1_500_000_000, "en", True, "¥1.5B"),
        (45_600, "en", True, "¥45.6K"),
        (12_345_000, "en", False, "¥12,345,000"),
        (-2_500_000, "en", True, "-¥2.5M"),
        (-25_000, "zh", True, "-¥2.5万"),
        (0, "en", True, "¥0"),
        (None, "en", True, "—"),
        (math.nan, "zh", True, "—"),
    ],
)
def test_money(x, lang, compact, expected) -> None:
    assert i18n.money(x, lang, compact=compact) == expected


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("compact", [True, False])
@pytest.mark.parametrize("x", [-0.004, -0.3, -0.5, -0.0, 0.3])
def test_money_of_a_few_cents_prints_zero_without_sign(x, lang, compact) -> None:
    # A variance of a few cents rounds to nothing: "¥0", never "-¥0" or "¥-0".
    assert i18n.money(x, lang, compact=compact) == "¥0"
    assert i18n.money(x, lang, "USD", compact=compact) == "$0"


def test_signed_money_says_gains_and_losses_but_not_nothing() -> None:
    assert i18n.money(30_000_000, "en", signed=True) == "+¥30M"
    assert i18n.money(-25_000, "zh", signed=True) == "-¥2.5万"
    assert [i18n.money(x, "en", signed=True) for x in (0.004, -0.004, 0.0)] == ["¥0", "¥0", "¥0"]
    assert i18n.Voice("zh", "USD").money(1_500, signed=True) == "+$1,500"


def test_negative_money_keeps_its_sign_once_it_rounds_to_a_unit() -> None:
    assert i18n.money(-0.6, "zh") == "-¥1"
    assert i18n.money(-1234.4, "en", compact=False) == "-¥1,234"
    assert i18n.money(float("-inf"), "en", compact=False) == "-¥inf"


def test_numbers_and_percentages_rounding_to_zero_have_no_minus_sign() -> None:
    assert i18n.number(-0.001, "en", 2) == "0.00"
    assert i18n.number(-0.4, "zh", 0) == "0"
    assert i18n.number(-0.004, "en") == "0"
    assert i18n.number(-1.5, "en", 1) == "-1.5"
    assert i18n.pct(-0.00001, "zh") == "0.0%"
    assert i18n.pct(-0.00001, "en", signed=True) == "+0.0%"
    assert i18n.pct(-0.02, "en", signed=True) == "-2.0%"


def test_money_other_currency() -> None:
    assert i18n.money(2_000_000, "en", "USD") == "$2M"
    assert i18n.money(2_000, "en", "CHF") == "CHF 2,000"


def test_number_and_pct() -> None:
    assert i18n.number(1234567, "en") == "1,234,567"
    assert i18n.number(12.5, "zh") == "12.5"
    assert i18n.number(0.1234, "en") == "0.12"
    assert i18n.number(1234.567, "en") == "1,235"
    assert i18n.number(1234.567, "en", decimals=1) == "1,234.6"
    assert i18n.number(None, "en") == "—"
    assert i18n.pct(0.153, "en") == "15.3%"
    assert i18n.pct(0.153, "zh", decimals=0) == "15%"
    assert i18n.pct(0.05, "en", signed=True) == "+5.0%"
    assert i18n.pct(float("nan"), "en") == "—"


def test_columns_translate_with_domain_fallback(tmp_path, monkeypatch) -> None:
    (tmp_path / "common.yaml").write_text(
        "columns:\n  revenue: {en: Revenue, zh: 销售额}\n  region: {en: Region, zh: 区域}\n", encoding="utf-8"
    )
    (tmp_path / "market.yaml").write_text("columns:\n  revenue: {en: Sales, zh: 销量额}\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n._domain.cache_clear()
    try:
        df = pd.DataFrame({"region": ["east"], "revenue": [1.0], "yoy_growth": [0.1]})
        assert list(i18n.columns(df, "zh", "market").columns) == ["区域", "销量额", "yoy growth"]
        assert list(i18n.columns(df, "en").columns) == ["Region", "Revenue", "Yoy growth"]
        assert list(df.columns) == ["region", "revenue", "yoy_growth"]  # input untouched
    finally:
        i18n._domain.cache_clear()


def test_segment_names_combinations() -> None:
    assert i18n.segment("energy", "zh") == "能源"
    assert i18n.segment("large", "en") == "Large (1000+)"
    assert i18n.segment("manufacturing/small", "en") == "Manufacturing · Small (<100 staff)"
    assert i18n.segment("energy/mystery", "zh") == "energy/mystery"  # one unknown part: shown as it is
    assert i18n.segment("energy/unknown", "zh") == "能源 · 未知"  # "unknown" (no attribute in the data) is named


def test_market_increment_components_are_translated() -> None:
    # calibration.csv names a market increment "<source>: <segment or dimension>"; the report shows it translated.
    from planning.goals import views

    zh, en = i18n.Voice("zh", "CNY"), i18n.Voice("en", "CNY")
    assert views.component_label("share_gain: energy", zh) == "份额提升（能源）"
    assert views.component_label("opening: service", en) == "Differentiation opening: Service"
    assert (
        views.component_label("share_gain: manufacturing/large", en)
        == "Share gain: Manufacturing · Large (1000+)"
    )
    assert views.component_label("buffer", zh) == "弹性空间（指标加码）"


def test_action_plan_shows_owner_roles_and_kpis_translated() -> None:
    from planning.i18n import Voice
    from planning.resources import views

    plan = pd.DataFrame(
        {"goal": ["revenue"], "task": ["与每位销售确认目标"], "owner": ["Regional sales director"],
         "start": ["2026-11-01"], "end": ["2026-12-15"], "kpi": ["target_completion"],
         "no_owner": [False], "overdue": [False]}
    )  # fmt: skip
    row = views.wbs(plan, Voice("zh", "CNY")).iloc[1].tolist()
    assert "区域销售总监" in row and "目标完成率" in row
    assert "Target completion" in views.wbs(plan, Voice("en", "CNY")).iloc[1].tolist()


# --- Voice: the language and currency bound once, every method delegating to the module function -----------
VOICE_CALLS = [
    # (Voice method, its arguments, the module function, the arguments it must receive; L = lang, C = currency)
    ("t", ("common.index.summary",), {"ok": 3, "total": 5}, "t", ("common.index.summary", "L"), {"ok": 3, "total": 5}),
    ("name", ("region", "east"), {}, "name", ("region", "east", "L"), {}),
    ("segment", ("energy/large",), {}, "segment", ("energy/large", "L"), {}),
    ("number", (1234.567,), {}, "number", (1234.567, "L", None), {}),
    ("number", (1234.567, 1), {}, "number", (1234.567, "L", 1), {}),
    ("pct", (0.153,), {}, "pct", (0.153, "L", 1, False), {}),
    ("pct", (0.05,), {"decimals": 0, "signed": True}, "pct", (0.05, "L", 0, True), {}),
    ("money", (12_345_000,), {}, "money", (12_345_000, "L", "C", True, False), {}),
    ("money", (12_345_000,), {"compact": False}, "money", (12_345_000, "L", "C", False, False), {}),
    ("money", (-5,), {"signed": True}, "money", (-5, "L", "C", True, True), {}),
    ("columns", ("DF",), {}, "columns", ("DF", "L", "common"), {}),
    ("columns", ("DF", "market"), {}, "columns", ("DF", "L", "market"), {}),
    ("missing", ("customers", "customer health"), {}, "missing_text", ("customers", "customer health", "L", ""), {}),
    ("missing", (("reps",), "rep targets"), {"column": "rep_id"}, "missing_text", (("reps",), "rep targets", "L", "rep_id"), {}),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "currency"), [("en", "CNY"), ("zh", "USD")])
@pytest.mark.parametrize(("method", "args", "kwargs", "func", "want_args", "want_kwargs"), VOICE_CALLS)
def test_voice_delegates_with_its_lang_and_currency(
    monkeypatch, lang, currency, method, args, kwargs, func, want_args, want_kwargs
) -> None:
    calls = []
    monkeypatch.setattr(i18n, func, lambda *a, **k: calls.append((a, k)) or "sentence")
    voice = i18n.Voice(lang, currency)
    assert getattr(voice, method)(*args, **kwargs) == "sentence"
    bound = {"L": lang, "C": currency}
    assert calls == [(tuple(bound.get(a, a) if isinstance(a, str) else a for a in want_args), want_kwargs)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_voice_says_what_the_functions_say(lang) -> None:
    voice = i18n.Voice(lang, "USD")
    df = pd.DataFrame({"region": ["east"], "revenue": [1.0]})
    assert voice.t("common.index.summary", ok=3, total=5) == i18n.t(
        "common.index.summary", lang, ok=3, total=5
    )
    assert voice.name("region", "east") == i18n.name("region", "east", lang)
    assert voice.segment("manufacturing/small") == i18n.segment("manufacturing/small", lang)
    assert voice.number(1234.567, 1) == i18n.number(1234.567, lang, 1)
    assert voice.pct(0.05, signed=True) == i18n.pct(0.05, lang, signed=True)
    assert voice.money(2_000_000) == i18n.money(2_000_000, lang, "USD")
    assert voice.money(2_000_000, compact=False) == i18n.money(2_000_000, lang, "USD", compact=False)
    assert list(voice.columns(df).columns) == list(i18n.columns(df, lang).columns)
    assert voice.missing("customers", "health") == i18n.missing_text("customers", "health", lang)
    assert voice.missing("reps", "targets", column="rep_id") == i18n.missing_text(
        "reps", "targets", lang, column="rep_id"
    )


def test_voice_binds_language_and_currency() -> None:
    en, zh = i18n.Voice("en", "CNY"), i18n.Voice("zh", "CNY")
    assert i18n.Voice() == en
    assert en.t("common.index.summary", ok=3, total=5) == "3 of 5 reports produced"
    assert zh.t("common.index.summary", ok=3, total=5) == "已生成 3/5 份报告"
    assert en.money(12_345_000) == "¥12.3M" and zh.money(12_345_000) == "¥1,234.5万"
    assert i18n.Voice("en", "USD").money(2_000_000) == "$2M"
    assert en.segment("energy") != zh.segment("energy")


@pytest.mark.parametrize("lang", ["fr", "EN", ""])
def test_voice_of_an_unknown_language_raises(lang) -> None:
    with pytest.raises(ValueError, match="language"):
        i18n.Voice(lang, "CNY")


def test_english_plurals_follow_the_count():
    """Issue 23: "Hire 1 reps", "needs 1 months", "1 earlier forecasts"."""
    hire = i18n.t("resources.tasks.hire", "en", n=1, start="2027-03", productive="2027-08")
    assert hire.startswith("Hire 1 rep (") and "reps" not in hire
    assert i18n.t("resources.tasks.hire", "en", n=2, start="2027-03", productive="2027-08").startswith(
        "Hire 2 reps"
    )
    assert "招聘 1 名销售" in i18n.t("resources.tasks.hire", "zh", n=1, start="2027-03", productive="2027-08")
    assert i18n.t(
        "review.accuracy.snapshots",
        "en",
        n=1,
        months=1,
        latest="x",
        mape="1%",
        bias="0%",
        best="x",
        best_mape="1%",
    ).startswith("1 earlier forecast compared with 1 month that")


def test_no_english_text_puts_a_plural_noun_after_a_bare_count():
    """Every `{count} nouns` in the English texts uses the `{count|noun|nouns}` form (i18n.t picks by the count)."""
    import re

    nouns = r"(months|reps|hires|weeks|days|customers|deals|forecasts|leads|accounts|regions|rows|tasks)"
    bare = re.compile(r"\{(\w+)\} (?:[a-z-]+ ){0,2}?" + nouns + r"\b")
    offenders = []
    for path in sorted((Path(i18n.__file__).parent / "locale").glob("*.yaml")):
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            en = line.split("en: ", 1)[1].split(", zh:", 1)[0] if "en: " in line else ""
            for m in bare.finditer(en):
                plural = "{" + m.group(1) + "|" in en or m.group(1) == "model"
                if not re.search(r"\b(of|in|on|the)\b", m.group(0)) and not plural:
                    offenders.append(f"{path.name}:{no}: {m.group(0)}")
    assert not offenders, offenders


def test_team_keys_show_by_their_region_display_name():
    """Issue 23: the Chinese quota sheet showed team keys "east-1"."""
    assert i18n.team("east-1", "zh") == "华东 1 组" and i18n.team("east-1", "en") == "East China team 1"
    assert i18n.team("Key accounts", "zh") == "Key accounts"  # a team named by the data stays as it is
    assert i18n.team("atlantis-2", "zh") == "atlantis-2"  # a region without a display name: the key
    assert i18n.Voice("zh", "CNY").team("northeast-3") == "东北 3 组"


def test_asides_and_lists_follow_the_language_punctuation():
    from planning.i18n import Voice

    assert Voice("zh").aside("能源", "+2.12 个百分点") == "能源（+2.12 个百分点）"
    assert Voice("en").aside("Energy", "+2.12 pp") == "Energy (+2.12 pp)"
    assert Voice("zh").listing(["a", "b"]) == "a、b" and Voice("en").listing(["a", "b"]) == "a, b"


def test_chinese_locale_texts_put_chinese_in_full_width_brackets():
    """Chinese text in brackets takes （）: every zh string of planning/locale/*.yaml is scanned. A formula's own
    brackets stay half-width like its other operators (market.segments.formula: 1 / (1 − 留存率))."""
    import re

    import yaml

    from planning.config import LOCALE_DIR

    formulas = {"market.yaml:segments.formula"}

    def zh_texts(node, path):
        if isinstance(node, dict):
            if isinstance(node.get("zh"), str):
                yield path, node["zh"]
            for k, v in node.items():
                yield from zh_texts(v, [*path, str(k)])

    cjk_in_half = re.compile(r"\([^()]*[\u4e00-\u9fff][^()]*\)")
    bad = [
        f"{f.name}:{'.'.join(p)}: {s}"
        for f in sorted(LOCALE_DIR.glob("*.yaml"))
        for p, s in zh_texts(yaml.safe_load(f.read_text()), [])
        if cjk_in_half.search(s) and f"{f.name}:{'.'.join(p)}" not in formulas
    ]
    assert not bad
