"""Reading a YAML file a user wrote (params/*.yaml, an import mapping), with limits against hostile documents.

YAML aliases (`*name`) repeat an anchored node (`&name`) without copying its text: nine lines of nested aliases
(a "billion laughs" document) expand to 10^9 values, which hangs validation or exhausts memory. So every file is
checked before its values are built; a document is refused when it

- is larger than `MAX_BYTES` (1 MiB; params/base.yaml is ~25 kB),
- uses more than `MAX_ALIASES` aliases (100),
- would hold more than `MAX_VALUES` values (100,000 keys, items and scalars) once every alias is expanded,
- nests deeper than `MAX_DEPTH` levels (64), or has an alias inside the node it refers to (a cycle).

Keys must be unique in every mapping (PyYAML would silently keep the last one). `parse` raises `YamlInputError`
without the file name; the callers (`planning.params.load.read_yaml`, `planning.importer.mapping.load_mapping`)
prefix it and raise their domain error. `clip` shortens a value for an error message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent

MAX_BYTES = 1_048_576
MAX_ALIASES = 100
MAX_VALUES = 100_000
MAX_DEPTH = 64
CLIP_CHARS = 200


class YamlInputError(ValueError):
    """A YAML text that cannot be used; the message names the place in it but not the file."""


def clip(value: Any, limit: int = CLIP_CHARS) -> str:
    """repr(value), cut to `limit` characters with "… (N characters)" when longer."""
    return clip_text(repr(value), limit)


def clip_text(text: str, limit: int = CLIP_CHARS) -> str:
    """`text` cut to `limit` characters with "… (N characters)" when longer."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader that counts aliases and nesting while composing, and refuses duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0
        self.depth = 0
        self.open_anchors: set[str] = set()

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise YamlInputError(
                    f"{_where(event.start_mark)}more than {MAX_ALIASES} aliases (*name); "
                    f"expected at most {MAX_ALIASES} (a guard against alias bombs)"
                )
            if event.anchor in self.open_anchors:
                raise YamlInputError(
                    f"{_where(event.start_mark)}alias *{clip_text(event.anchor, 40)} refers to a node that contains "
                    "it; expected no recursive aliases"
                )
            return super().compose_node(parent, index)
        nested = isinstance(event, MappingStartEvent | SequenceStartEvent)
        anchor = getattr(event, "anchor", None)
        if nested:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise YamlInputError(
                    f"{_where(event.start_mark)}nested more than {MAX_DEPTH} levels deep; expected at most {MAX_DEPTH}"
                )
        if anchor is not None:
            self.open_anchors.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            if anchor is not None:
                self.open_anchors.discard(anchor)
            if nested:
                self.depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        if isinstance(
            node, yaml.MappingNode
        ):  # before merge keys (<<) are flattened in: they may be overridden
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=deep)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: SafeLoader reports it below
                    break
                if first is not None:
                    raise YamlInputError(
                        f"{_where(key_node.start_mark)}duplicate key {clip(key, 80)} "
                        f"(first at line {first.line + 1}); expected each key once"
                    )
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""


def expanded_values(node: yaml.Node) -> int:
    """Values (scalars, sequences, mappings, keys included) the document holds with every alias expanded.

    Counted on the composed node graph, each shared node once per use (memoised), so a 10^9-value bomb is
    counted in microseconds. The graph is acyclic (`_LimitedLoader` refuses recursive aliases) and at most
    `MAX_DEPTH` deep.
    """
    memo: dict[int, int] = {}

    def size(n: yaml.Node) -> int:
        known = memo.get(id(n))
        if known is not None:
            return known
        if isinstance(n, yaml.SequenceNode):
            total = 1 + sum(size(item) for item in n.value)
        elif isinstance(n, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in n.value)
        else:
            total = 1
        memo[id(n)] = total
        return total

    return size(node)


def check_size(path: Path) -> None:
    """Refuse a file over `MAX_BYTES` before reading it (raises YamlInputError)."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise YamlInputError(
            f"{size:,} bytes, too large; expected at most {MAX_BYTES:,} bytes (1 MiB) of YAML"
        )


def parse(text: str) -> Any:
    """The data of one YAML document, within the limits above. Raises YamlInputError (line and column when known)."""
    if len(text) > MAX_BYTES:
        raise YamlInputError(
            f"{len(text):,} characters, too large; expected at most {MAX_BYTES:,} (1 MiB) of YAML"
        )
    loader = None
    try:
        # The reader checks characters as soon as the loader is built: a NUL raises here already.
        loader = _LimitedLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        values = expanded_values(node)
        if values > MAX_VALUES:
            raise YamlInputError(
                f"holds {values:,} values once its {loader.aliases} aliases are expanded; expected at most "
                f"{MAX_VALUES:,} (a guard against alias bombs)"
            )
        return loader.construct_document(node)
    except yaml.reader.ReaderError as exc:
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise YamlInputError(
            f"character U+{code:04X} at position {exc.position}: not allowed in YAML; expected printable text"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlInputError(
            f"{_where(mark)}malformed YAML: {clip_text(str(exc.problem or exc.context))}"
        ) from None
    except yaml.YAMLError as exc:
        raise YamlInputError(f"malformed YAML: {clip_text(str(exc))}") from None
    except RecursionError:
        raise YamlInputError(f"nested too deeply; expected at most {MAX_DEPTH} levels") from None
    finally:
        if loader is not None:
            loader.dispose()
