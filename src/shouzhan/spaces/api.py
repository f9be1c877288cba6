"""The spaces module's API router."""

from ninja import Router

router = Router(tags=["spaces"])
