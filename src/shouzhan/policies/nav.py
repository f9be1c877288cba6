"""Menu entries of the policies module: the library and the calculator, open to everyone."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.core.nav import NavEntry, NavGroup, nav_declare

POLICY = NavGroup("policy", _l("政策"), 30)
nav_declare(POLICY, {"policies": 10, "calculator": 20})


def items(user: Any) -> list[NavEntry]:
    return [
        ("policies", _("政策库"), reverse("policies:library")),
        ("calculator", _("政策计算器"), reverse("policies:calculator")),
    ]
