"""Who may do what in community: the one door the services, the selectors, the pages and the API all use.

Refusals follow the site's rule: something the user may not know about — another person's registration,
a closed listing not theirs, another enterprise's project — is 404; an action on something they may see
but not do — editing an event without being its staff, checking people in, the staff's contact list,
someone else's listing — is 403 with a plain message; anonymous users are sent to log in (API: 401).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from shouzhan.accounts.models import User
from shouzhan.community.models import Event, Listing, MentorProfile, OfficeHour, Registration
from shouzhan.core.actors import Actor, actor_user
from shouzhan.core.permissions import has_role, is_staff_member, require_login, require_role, user_role
from shouzhan.core.roles import Role
from shouzhan.registry.models import Enterprise, Person, Project
from shouzhan.registry.permissions import member_enterprise_ids, require_enterprise_write

EVENT_ADMIN_ROLES = (Role.CASEWORKER, Role.ADMIN)
# Who checks people in at the door.
DOOR_ROLES = (Role.CASEWORKER, Role.ADMIN, Role.LEADER)
# Who may act for an owner (an inventor who brings paper, a company on the phone).
BROKER_ROLES = (Role.CASEWORKER, Role.ADMIN)


def actor_id(actor: Actor) -> int | None:
    """The logged-in user's id, or None (a visitor or a system actor): compared with owners' ids."""
    user = actor_user(actor)
    return user.pk if user is not None else None


def is_logged_in(actor: Actor) -> bool:
    return user_role(actor) is not None


def user_required(actor: Actor) -> User:
    """The logged-in user acting; anyone else (a visitor, a system actor) is asked to log in (403)."""
    require_login(actor)
    user = actor_user(actor)
    if user is None:  # pragma: no cover — require_login refused them already
        raise PermissionDenied(_("请先登录。"))
    return user


def my_enterprise_ids(actor: Actor) -> set[int]:
    return member_enterprise_ids(actor)


# ------------------------------------------------------------------------------------------ events
def can_manage_events(actor: Actor) -> bool:
    return has_role(actor, *EVENT_ADMIN_ROLES)


def require_event_admin(actor: Actor) -> None:
    require_role(actor, *EVENT_ADMIN_ROLES)


def can_check_in(actor: Actor) -> bool:
    return has_role(actor, *DOOR_ROLES)


def require_door_staff(actor: Actor) -> None:
    require_role(actor, *DOOR_ROLES)


def can_see_registration(actor: Actor, registration: Registration) -> bool:
    """Its own person and the centre's event staff; anyone else is told nothing (404)."""
    own = actor_id(actor)
    return (own is not None and registration.user_id == own) or can_manage_events(actor)


def require_cancel_registration(actor: Actor, registration: Registration) -> None:
    require_login(actor)
    if not can_see_registration(actor, registration):
        raise PermissionDenied(_("只能取消自己的报名"))


def on_panel(actor: Actor, event: Event) -> bool:
    own = actor_id(actor)
    return own is not None and has_role(actor, Role.MENTOR) and event.mentors.filter(user_id=own).exists()


def require_attendance(actor: Actor, event: Event) -> None:
    """The attendance list of a (public) event: the centre's staff and its panel mentors; 403 for others."""
    if not (is_staff_member(actor) or on_panel(actor, event)):
        raise PermissionDenied(_("您的角色无权进行此操作。"))


def require_presenter(actor: Actor, project: Project | None) -> None:
    if project is not None and project.enterprise_id not in member_enterprise_ids(actor):
        raise ValidationError({"project": [_("只能带本企业的项目参加路演")]})


def can_see_project(actor: Actor, project: Project) -> bool:
    """A project and its feedback: its own team, the centre's staff and the mentors."""
    return (
        project.enterprise_id in member_enterprise_ids(actor)
        or is_staff_member(actor)
        or has_role(actor, Role.MENTOR)
    )


# ------------------------------------------------------------------------------------------ mentors
def is_mentor(user: Actor) -> bool:
    return has_role(user, Role.MENTOR)


def mentor_profile(actor: Actor) -> MentorProfile | None:
    """The actor's own mentor profile, when they are a mentor with one."""
    if not is_mentor(actor):
        return None
    return MentorProfile.objects.filter(user_id=actor_id(actor) or 0).first()


def require_mentor(actor: Actor) -> MentorProfile:
    profile = mentor_profile(actor)
    if profile is None:
        raise PermissionDenied(_("只有导师可以进行此操作"))
    return profile


def require_mentor_profile_edit(actor: Actor, user: Actor) -> None:
    """A mentor edits their own profile; the centre's staff edit anyone's."""
    if actor_id(actor) != actor_id(user):
        require_role(actor, Role.ADMIN, Role.CASEWORKER)


def require_panel_mentor(mentor: MentorProfile, event: Event) -> None:
    if not event.mentors.filter(pk=mentor.pk).exists():
        raise PermissionDenied(_("您不在本场活动的点评导师名单中"))


def require_follow_for(actor: Actor, mentor: MentorProfile) -> None:
    """A mentor follows a project for themself; the centre's staff for any mentor."""
    if not has_role(actor, *BROKER_ROLES) and require_mentor(actor).pk != mentor.pk:
        raise PermissionDenied(_("只能为自己添加跟进项目"))


def require_office_hour_release(actor: Actor, slot: OfficeHour) -> None:
    own = actor_id(actor)
    if own is None or (
        slot.booked_by_id != own and slot.mentor.user_id != own and not has_role(actor, *BROKER_ROLES)
    ):
        raise PermissionDenied(_("只能取消自己的预约"))


# ------------------------------------------------------------------------------------------ listings
def can_manage_listing(actor: Actor, listing: Listing) -> bool:
    """Its owner (the person, or a member of the owning enterprise) and the centre's brokers."""
    if user_role(actor) is None:
        return False
    if has_role(actor, *BROKER_ROLES):
        return True
    if listing.owner_enterprise_id is not None:
        return listing.owner_enterprise_id in member_enterprise_ids(actor)
    return listing.owner_person is not None and listing.owner_person.user_id == actor_id(actor)


def can_see_listing(actor: Actor, listing: Listing) -> bool:
    return listing.status == Listing.Status.ACTIVE or can_manage_listing(actor, listing)


def can_see_interest(actor: Actor, listing: Listing) -> bool:
    """Who asked for an introduction to a listing: its managers and the centre's staff."""
    return is_staff_member(actor) or can_manage_listing(actor, listing)


def require_owner_write(actor: Actor, *, person: Person | None, enterprise: Enterprise | None) -> None:
    """The owner themself, a member of the owning enterprise, or a caseworker acting for them."""
    require_login(actor)
    if enterprise is not None:
        require_enterprise_write(actor, enterprise.pk)
        return
    if person is None:
        raise ValidationError(_("请指定发布人"))
    if person.user_id == actor_id(actor) or has_role(actor, *BROKER_ROLES):
        return
    raise PermissionDenied(_("只能管理自己的技术成果"))


def can_list_for(actor: Actor, person: Person) -> bool:
    """List for a person: oneself, or anyone when a caseworker acts for them."""
    own = actor_id(actor)
    return (person.user_id is not None and person.user_id == own) or has_role(actor, *BROKER_ROLES)


def is_own_listing(actor: Actor, listing: Listing) -> bool:
    return listing.owner_enterprise_id in member_enterprise_ids(actor) or (
        listing.owner_person is not None and listing.owner_person.user_id == actor_id(actor)
    )


# ------------------------------------------------------------------------------------------ staff pages
def can_see_contacts(actor: Actor) -> bool:
    return is_staff_member(actor)


def require_contacts_staff(actor: Actor) -> None:
    """The contact requests the centre brokers: a staff page (403 for a logged-in non-staff user)."""
    if not can_see_contacts(actor):
        raise PermissionDenied(_("仅限中心工作人员查看。"))


def sees_enterprises_in_search(actor: Actor | None) -> bool:
    """Enterprises' profiles are in search results for the centre's staff only."""
    return is_staff_member(actor)
