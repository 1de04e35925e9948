"""The building blocks of the parameter schema (`planning.params.schema`): the strict base model, the error of a
rule between keys, and a planner's text in one or two languages."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False)


Fraction = Field(ge=0.0, le=1.0)
NonNegative = Annotated[float, Field(ge=0.0)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


def cross_key(expected: str, **keys: Any) -> PydanticCustomError:
    """The error of a rule on keys of one model (a rule between keys, or a range that depends on the key):
    `keys` maps each key (relative to where the validator runs, dotted) to its value;
    `planning.params.load.describe` names every key with its full path, value and file."""
    return PydanticCustomError("cross_key", expected, {"keys": keys})


# Text a planner writes in params: one string for every language, or {en: ..., zh: ...}.
LocalText = str | dict[Literal["en", "zh"], str]


def local_text(value: LocalText | None, lang: str) -> str:
    """A planner's text from params in `lang`: the string itself, or the entry of `lang` (else the other one)."""
    if isinstance(value, dict):
        return str(value.get(lang) or next(iter(value.values()), ""))
    return "" if value is None else str(value)
