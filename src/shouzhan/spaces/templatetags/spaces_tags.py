"""`{% load spaces_tags %}{% my_spaces_card enterprise %}`: the "我的空间" card, for any page that shows
an enterprise (the enterprise page, the spaces index). Nothing is shown to who may not read it."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import Http404

from shouzhan.spaces import selectors

register = template.Library()


@register.inclusion_tag("spaces/_my_spaces_card.html", takes_context=True)
def my_spaces_card(context: Any, enterprise: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return {"summary": None}
    try:
        summary = selectors.space_summary(actor=user, enterprise=enterprise)
    except Http404:
        return {"summary": None}
    return {"summary": summary}
