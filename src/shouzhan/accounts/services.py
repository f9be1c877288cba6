"""Accounts: a founder's account with its organisation, an organisation's members, passwords.

An enterprise is the registry's: registering with one (`registry.services.onboarding`) builds on
`founder_account_create` here, and passes the enterprise's id for the audit trail of members.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shouzhan.accounts import audit_actions as A
from shouzhan.accounts import throttle
from shouzhan.accounts.models import Membership, Organisation, User
from shouzhan.accounts.permissions import require_member_manager
from shouzhan.core.actors import Actor
from shouzhan.core.audit import audit_record


@transaction.atomic
def founder_account_create(
    *, name: str, password: str, mobile: str | None = None, email: str | None = None, organisation_name: str
) -> tuple[User, Organisation]:
    """A founder signs up: their account and their organisation, which they own."""
    user = User.objects.create_user(name=name, password=password, mobile=mobile, email=email)
    organisation = Organisation.objects.create(name=organisation_name, kind=Organisation.Kind.ENTERPRISE)
    Membership.objects.create(user=user, organisation=organisation, is_owner=True, title=_("负责人"))
    audit_record(actor=user, action=A.USER_REGISTER, target=user, after={"name": name, "role": user.role})
    return user, organisation


@transaction.atomic
def member_add(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    mobile: str | None = None,
    email: str | None = None,
    password: str | None = None,
    title: str = "",
    enterprise_id: int | None = None,
) -> Membership:
    """Add a member; an existing account (by mobile or e-mail) is linked, else a new one is made.
    `enterprise_id` files the audit entry under the organisation's enterprise."""
    require_member_manager(actor, organisation)
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
        action=A.MEMBER_ADD,
        target=organisation,
        after={"user_id": user.pk, "name": user.name, "title": title},
        enterprise_id=enterprise_id,
    )
    return membership


@transaction.atomic
def member_remove(*, actor: Actor, membership: Membership, enterprise_id: int | None = None) -> None:
    require_member_manager(actor, membership.organisation)
    if membership.is_owner:
        raise ValidationError(_("不能移除企业负责人。"))
    organisation = membership.organisation
    before = {"user_id": membership.user_id, "name": membership.user.name, "title": membership.title}
    membership.delete()
    audit_record(
        actor=actor,
        action=A.MEMBER_REMOVE,
        target=organisation,
        before=before,
        enterprise_id=enterprise_id,
    )


@transaction.atomic
def password_set(*, actor: Actor, user: User, password: str, action: str) -> User:
    """A new password (changed by its owner, or reset through the e-mailed link: `action` says which,
    A.PASSWORD_CHANGE or A.PASSWORD_RESET). Audited, never stored in the trail; the failed logins
    counted against the account are forgotten."""
    user.set_password(password)
    user.save(update_fields=["password"])
    throttle.forget(throttle.LOGIN, identity=throttle.identity_for(user, user.login_name))
    audit_record(actor=actor, action=action, target=user)
    return user


def password_reset_requested(*, user: User) -> None:
    """Someone asked for a reset link to this account's mailbox (the person asking is not known)."""
    audit_record(actor=A.ANONYMOUS, action=A.PASSWORD_RESET_REQUEST, target=user)
