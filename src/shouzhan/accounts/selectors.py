"""Reads of accounts: an organisation's members."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from shouzhan.accounts.models import Membership, Organisation


def membership_list(*, organisation: Organisation | None) -> QuerySet[Membership]:
    """The organisation's members, the owner first, then by when they joined."""
    if organisation is None:
        return Membership.objects.none()
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-is_owner", "joined_at")
    )


def membership_get(*, organisation: Organisation | None, pk: int | str) -> Membership:
    """A membership of this organisation, or 404 (another organisation's is not known here)."""
    membership = (
        Membership.objects.filter(organisation=organisation, pk=pk).select_related("user").first()
        if organisation is not None and str(pk).isdigit()
        else None
    )
    if membership is None:
        raise Http404(_("没有找到该成员。"))
    return membership
