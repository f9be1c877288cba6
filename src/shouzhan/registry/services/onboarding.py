"""A founder registers with their enterprise; an enterprise's members are managed with its id on record.

Accounts know users and organisations; the enterprise is the registry's, so the flow that joins the two
lives here (accounts never imports the registry).
"""

from __future__ import annotations

from django.db import transaction

from shouzhan.accounts import services as accounts
from shouzhan.accounts.models import Membership, User
from shouzhan.core.actors import Actor
from shouzhan.registry.choices import Stage
from shouzhan.registry.models import Enterprise
from shouzhan.registry.permissions import require_enterprise_write
from shouzhan.registry.services.enterprises import enterprise_create


@transaction.atomic
def entrepreneur_register(
    *,
    name: str,
    password: str,
    mobile: str | None = None,
    email: str | None = None,
    enterprise_name: str,
    credit_code: str | None = None,
    district: str = "",
    sector: str = "",
) -> tuple[User, Enterprise]:
    """A founder signs up: their account, their organisation (they own it) and its enterprise profile."""
    user, organisation = accounts.founder_account_create(
        name=name, password=password, mobile=mobile, email=email, organisation_name=enterprise_name
    )
    enterprise = enterprise_create(
        actor=user,
        name=enterprise_name,
        organisation=organisation,
        credit_code=credit_code or None,
        district=district,
        sector=sector,
        stage=Stage.REGISTERED if credit_code else Stage.IDEA,
    )
    return user, enterprise


def enterprise_member_add(
    *,
    actor: Actor,
    enterprise: Enterprise,
    name: str,
    mobile: str | None = None,
    email: str | None = None,
    password: str | None = None,
    title: str = "",
) -> Membership:
    """Add a member to the enterprise's organisation (who may: the enterprise's writers, and among them
    the organisation's owner or staff — accounts' rule)."""
    require_enterprise_write(actor, enterprise.pk)
    assert enterprise.organisation is not None  # the page offers no form for an enterprise without one
    return accounts.member_add(
        actor=actor,
        organisation=enterprise.organisation,
        name=name,
        mobile=mobile,
        email=email,
        password=password,
        title=title,
        enterprise_id=enterprise.pk,
    )


def enterprise_member_remove(*, actor: Actor, enterprise: Enterprise, membership: Membership) -> None:
    require_enterprise_write(actor, enterprise.pk)
    accounts.member_remove(actor=actor, membership=membership, enterprise_id=enterprise.pk)
