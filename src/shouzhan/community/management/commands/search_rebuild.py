"""`manage.py search_rebuild`: write the whole search index again from its sources.

Not needed after ordinary changes (each save re-indexes its own document); for rows written without
signals (fixtures, bulk loads) and to reset the index's statistics after a large import.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shouzhan.community.search import index


class Command(BaseCommand):
    help = "Rebuild the search index from its sources (community/search/index.py)."

    def handle(self, *args: Any, **options: Any) -> None:
        seconds = index.rebuild()
        stats = index.current_index()
        self.stdout.write(f"search index: {len(stats):,} documents in {seconds:.2f} s")
