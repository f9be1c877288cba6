"""Each module's own check of its invariants, found by name: `shouzhan/<module>/integrity.py`
with `LABEL` (what is checked, in words) and `check() -> list[str]` (the problems; empty when
all is well). A restore runs them all; core knows no module by name, so layers still point down."""

from __future__ import annotations

import importlib
import importlib.util

from django.apps import apps


def integrity_checks() -> list[tuple[str, list[str]]]:
    """(label, problems) for every installed module that has an integrity check."""
    results = []
    for config in apps.get_app_configs():
        name = f"{config.name}.integrity"
        if name == __name__ or importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        results.append((str(module.LABEL), list(module.check())))
    return results
