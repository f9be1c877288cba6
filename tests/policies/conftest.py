from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from shouzhan.policies.services import catalogue_sync


@pytest.fixture
def catalogue(db: Any) -> Any:
    """The repository's catalogue loaded and published as of each file's own effective date."""
    return catalogue_sync(actor="system:test", directory=settings.CATALOGUE_DIR)
