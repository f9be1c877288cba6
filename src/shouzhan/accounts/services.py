"""Accounts: registering an entrepreneur with their enterprise, and managing an organisation's members."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shouzhan.accounts import throttle
from shouzhan.accounts.models import Membership, Organisation, User
from shouzhan.core.audit import audit_record
from shouzhan.core.permissions import has_role
from shouzhan.core.roles import Role
from shouzhan.registry.models import Enterprise


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
    from shouzhan.registry.choices import Stage
    from shouzhan.registry.services import enterprise_create

    user = User.objects.create_user(name=name, password=password, mobile=mobile, email=email)
    organisation = Organisation.objects.create(name=enterprise_name, kind=Organisation.Kind.ENTERPRISE)
    Membership.objects.create(user=user, organisation=organisation, is_owner=True, title=_("负责人"))
    audit_record(actor=user, action="account.register", target=user, after={"name": name, "role": user.role})
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


def _require_owner_or_admin(actor: Any, organisation: Organisation) -> None:
    if has_role(actor, Role.ADMIN, Role.CASEWORKER):
        return
    if not Membership.objects.filter(user=actor, organisation=organisation, is_owner=True).exists():
        raise PermissionDenied(_("只有企业负责人可以管理成员。"))


@transaction.atomic
def member_add(
    *,
    actor: Any,
    organisation: Organisation,
    name: str,
    mobile: str | None = None,
    email: str | None = None,
    password: str | None = None,
    title: str = "",
) -> Membership:
    """Add a member; an existing account (by mobile or e-mail) is linked, else a new one is made."""
    _require_owner_or_admin(actor, organisation)
    user = None
    if mobile:
        user = User.objects.filter(mobile=mobile).first()
    if user is None and email:
        user = User.objects.filter(email=email.lower()).first()
    if user is None:
        if not password:
            raise ValidationError({"password": _("新成员需要设置初始密码。")})
        user = User.objects.create_user(name=name, password=password, mobile=mobile, email=email)
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError(_("该用户已经是本企业成员。"))
    membership = Membership.objects.create(user=user, organisation=organisation, title=title)
    audit_record(
        actor=actor,
        action="organisation.member_add",
        target=organisation,
        after={"user_id": user.pk, "name": user.name, "title": title},
        enterprise_id=_enterprise_id(organisation),
    )
    return membership


@transaction.atomic
def member_remove(*, actor: Any, membership: Membership) -> None:
    _require_owner_or_admin(actor, membership.organisation)
    if membership.is_owner:
        raise ValidationError(_("不能移除企业负责人。"))
    organisation = membership.organisation
    before = {"user_id": membership.user_id, "name": membership.user.name, "title": membership.title}
    membership.delete()
    audit_record(
        actor=actor,
        action="organisation.member_remove",
        target=organisation,
        before=before,
        enterprise_id=_enterprise_id(organisation),
    )


def _enterprise_id(organisation: Organisation) -> int | None:
    return Enterprise.objects.filter(organisation=organisation).values_list("id", flat=True).first()


@transaction.atomic
def password_set(*, actor: Any, user: User, password: str, action: str) -> User:
    """A new password (changed by its owner, or reset through the e-mailed link). Audited, never stored
    in the trail; the failed logins counted against the account are forgotten."""
    user.set_password(password)
    user.save(update_fields=["password"])
    throttle.forget(throttle.LOGIN, identity=throttle.identity_for(user, user.login_name))
    audit_record(actor=actor, action=action, target=user)
    return user


def password_reset_requested(*, user: User) -> None:
    """Someone asked for a reset link to this account's mailbox (the person asking is not known)."""
    audit_record(actor="anonymous", action="account.password_reset_request", target=user)
