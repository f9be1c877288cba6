"""The talent services' JSON API under /api/v1/talent/ (docs/talent.md)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["talent"])
