"""The community module's API router."""

from ninja import Router

router = Router(tags=["community"])
