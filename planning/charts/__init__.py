"""Chart builders (one module per step) and the workbook's altair theme (minimal first version)."""

from __future__ import annotations
