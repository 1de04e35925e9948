"""Translations and locale formatting (minimal first version; see docs/architecture.md)."""

from __future__ import annotations

from functools import cache

import yaml

from planning.config import LOCALE_DIR

LANGUAGES = ("en", "zh")


@cache
def _domain(domain: str) -> dict:
    path = LOCALE_DIR / f"{domain}.yaml"
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def t(key: str, lang: str = "en", **fmt) -> str:
    """Translate `domain.path.to.key` from `locale/<domain>.yaml` into `lang`, formatting `{names}` with fmt."""
    domain, _, rest = key.partition(".")
    node = _domain(domain)
    for part in rest.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"no translation for {key!r} in locale/{domain}.yaml")
        node = node[part]
    text = node[lang] if isinstance(node, dict) else str(node)
    return text.format(**fmt) if fmt else text


def name(kind: str, value: str, lang: str = "en") -> str:
    """Display name of a region, tier, stage, channel ... from locale/common.yaml (the value itself if unknown)."""
    table = _domain("common").get("names", {}).get(kind, {})
    entry = table.get(str(value))
    return entry[lang] if entry else str(value)
