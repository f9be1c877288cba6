"""Reading the dispatch catalogue: the version in force on a day and a category's rule in it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shouzhan.frontline.models import DispatchRule, DispatchVersion


def dispatch_version_in_force(on: dt.date) -> DispatchVersion | None:
    """The latest version valid on `on` (the latest published, of those valid from the same day)."""
    return DispatchVersion.objects.filter(valid_from__lte=on).order_by("-valid_from", "-number").first()


def dispatch_rules(on: dt.date) -> list[DispatchRule]:
    version = dispatch_version_in_force(on)
    if version is None:
        return []
    return list(version.rules.select_related("department").order_by("label"))


def dispatch_rule_for(category: str, on: dt.date) -> DispatchRule:
    """The rule for `category` in the catalogue in force on `on`; a category not in it is refused in words."""
    version = dispatch_version_in_force(on)
    if version is None:
        raise ValidationError({"category": [_("派单目录尚未发布，暂不能登记诉求。")]})
    rule = version.rules.select_related("department", "version").filter(category=category).first()
    if rule is None:
        raise ValidationError(
            {"category": [_("“%(c)s”不在派单目录中，请从目录中选择类别。") % {"c": category}]}
        )
    return rule
