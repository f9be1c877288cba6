"""frontline's pages: thin — parse with a form, call a selector or a service, render.

The receivers' board (诉求看板) and desk/hotline form, a department's queue (签收 / 退单 / 答复), a demand's
page with its history and the actions this user may take, an enterprise's own demands with the rating
form, and the dispatch catalogue with its versions. Refusals follow the one rule: a demand the user may
not know of is 404, a page not theirs is 403; a ticket changed meanwhile is 409 beside its current state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouzhan.cases.selectors import case_clock
from shouzhan.core.errors import Conflict
from shouzhan.core.forms import add_service_errors
from shouzhan.frontline import permissions as perms
from shouzhan.frontline import selectors, services
from shouzhan.frontline.catalogue import dispatch_rules
from shouzhan.frontline.forms import (
    BoardFilterForm,
    DemandForm,
    FollowUpForm,
    LinkRepeatForm,
    PublishForm,
    ReasonForm,
    RedispatchForm,
    ReplyForm,
    ReturnForm,
    RuleFormSet,
    VersionForm,
)
from shouzhan.frontline.models import Demand, Department, FollowUp
from shouzhan.frontline.repeats import repeat_candidates
from shouzhan.registry.permissions import member_enterprise_ids

NEXT_PAGES = {"queue": "frontline:queue", "mine": "frontline:mine", "board": "frontline:board"}


def _require_frontline(user: Any) -> None:
    if not perms.can_use_frontline(user):
        raise PermissionDenied(_("这里是服务中心和承办部门的工作页面。"))


# ----------------------------------------------------------------------------- the board and the queue
@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_frontline(user)
    departments = list(selectors.active_departments())
    form = BoardFilterForm(
        request.GET or None, categories=selectors.category_labels(), departments=departments
    )
    filters = form.cleaned_data if form.is_valid() else {}
    state = filters.get("state") or None
    if state not in dict(selectors.STATES):
        state = None
    result = selectors.demand_board(
        user,
        state,
        category=filters.get("category") or None,
        department_id=filters.get("department"),
        source=filters.get("source") or None,
        page=_page_number(request.GET.get("page")),
    )
    query = request.GET.copy()
    query.pop("state", None)
    query.pop("page", None)
    context = {
        "active_nav": "frontline_board",
        "form": form,
        "board": result,
        "state": state,
        "state_words": selectors.state_label(state) if state else "",
        "labels": selectors.category_labels(),
        "query": query.urlencode(),
        "can_receive": perms.can_receive(user),
    }
    return render(request, "frontline/board.html", context)


def _page_number(value: str | None) -> int:
    """?page=N as a number; anything else is the first page (a bounded, harmless input)."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 6 else 1


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    rows = selectors.department_queue(request.user)
    mine = perms.member_departments(request.user)
    context = {
        "active_nav": "frontline_queue",
        "rows": rows,
        "departments": Department.objects.filter(pk__in=list(mine)).order_by("name"),
        "to_accept": sum(1 for r in rows if r.demand.case.state == "dispatched"),
        "overdue": sum(1 for r in rows if r.clock.status == "overdue"),
        "labels": selectors.category_labels(),
    }
    return render(request, "frontline/queue.html", context)


# ----------------------------------------------------------------------------- one demand
def _get_demand(user: Any, pk: int) -> Demand:
    demand = get_object_or_404(
        Demand.objects.select_related(
            "case", "department", "accepted_by", "enterprise", "dispatch_version", "repeat_of__case"
        ),
        pk=pk,
    )
    perms.require_demand_read(user, demand)
    return demand


def _allowed(user: Any, demand: Demand) -> set[str]:
    """The actions this user may take on the demand now (what the page offers; the services decide)."""
    state = demand.case.state
    mine = perms.member_departments(user)
    receiver = perms.can_receive(user)
    allowed: set[str] = set()
    if demand.department_id in mine:
        allowed |= {"dispatched": {"accept", "return"}, "accepted": {"reply"}}.get(state, set())
    if receiver and state == "returned":
        allowed.add("redispatch")
    if state == "replied":
        if perms.is_requester(user, demand):
            allowed.add("follow_up")
        if receiver:
            allowed.add("phone_follow_up")
    if perms.can_exclude(user, demand):
        allowed.add("include" if demand.excluded_reason else "exclude")
    if receiver and demand.repeat_of_id is None and state in ("dispatched", "returned", "accepted"):
        allowed.add("link_repeat")
    return allowed


def _forms(demand: Demand, allowed: set[str], bound: dict[str, forms.Form]) -> dict[str, forms.Form]:
    initial = {"version": demand.version}
    made: dict[str, forms.Form] = {}
    for name in allowed - {"link_repeat"}:
        if name in bound:
            made[name] = bound[name]
        elif name == "redispatch":
            default = selectors.catalogue_department(demand)
            made[name] = RedispatchForm(
                initial={**initial, "department": default.pk if default else None},
                departments=list(selectors.active_departments()),
            )
        else:
            made[name] = FORMS[name](initial=initial, auto_id=f"{name}-%s")
    return made


def _repeats(demand: Demand) -> list[Any]:
    return repeat_candidates(
        description=demand.description,
        category=demand.category,
        enterprise_id=demand.enterprise_id,
        place=demand.place,
        on=demand.received_on,
        exclude_id=demand.pk,
        limit=5,
    )


def _demand_page(
    request: HttpRequest,
    demand: Demand,
    *,
    bound: dict[str, forms.Form] | None = None,
    errors: list[str] = (),  # type: ignore[assignment]
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    allowed = _allowed(user, demand)
    staff = perms.sees_every_demand(user) or bool(perms.member_departments(user))
    context = {
        "active_nav": "frontline_board" if staff else "frontline_mine",
        "demand": demand,
        "state": demand.case.state,
        "state_words": selectors.state_label(demand.case.state),
        "clock": case_clock(demand.case),
        "category": selectors.category_labels(demand.dispatch_version_id).get(demand.category, ""),
        "timeline": selectors.demand_timeline(user, demand),
        "forms": _forms(demand, allowed, bound or {}),
        "repeats": _repeats(demand) if "link_repeat" in allowed else [],
        "errors": list(errors),
        "conflict": conflict,
        "staff": staff,
        "receiver": perms.can_receive(user),
    }
    return render(request, "frontline/demand.html", context, status=status)


@login_required
@require_GET
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _demand_page(request, _get_demand(request.user, pk))


def _act_redispatch(user: Any, demand: Demand, data: dict[str, Any]) -> Any:
    department = Department.objects.filter(pk=data["department"], active=True).first()
    if department is None:
        raise ValidationError({"department": [_("请选择在用的承办部门。")]})
    return services.ticket_redispatch(
        actor=user, demand=demand, department=department, expected_version=data["version"], note=data["note"]
    )


def _act_follow_up(channel: str) -> Callable[[Any, Demand, dict[str, Any]], Any]:
    def act(user: Any, demand: Demand, data: dict[str, Any]) -> Any:
        return services.follow_up_record(
            actor=user,
            demand=demand,
            resolved=data["resolved"],
            satisfaction=data["satisfaction"],
            channel=channel,
            note=data["note"],
            expected_version=data["version"],
        )

    return act


def _act_link(user: Any, demand: Demand, data: dict[str, Any]) -> Any:
    original = Demand.objects.select_related("case").filter(pk=data["original"]).first()
    if original is None:
        raise Http404(_("没有找到该诉求。"))
    return services.demand_link_repeat(
        actor=user, demand=demand, original=original, expected_version=data["version"]
    )


FORMS: dict[str, type[forms.Form]] = {
    "accept": VersionForm,
    "return": ReturnForm,
    "redispatch": RedispatchForm,
    "reply": ReplyForm,
    "follow_up": FollowUpForm,
    "phone_follow_up": FollowUpForm,
    "exclude": ReasonForm,
    "include": ReasonForm,
    "link_repeat": LinkRepeatForm,
}
ACTS: dict[str, tuple[Callable[[Any, Demand, dict[str, Any]], Any], Any]] = {
    "accept": (
        lambda u, d, c: services.ticket_accept(actor=u, demand=d, expected_version=c["version"]),
        _("已签收，请在办结期限前答复。"),
    ),
    "return": (
        lambda u, d, c: services.ticket_return(
            actor=u, demand=d, reason=c["reason"], expected_version=c["version"]
        ),
        _("已退单，首接专员将改派。"),
    ),
    "redispatch": (_act_redispatch, _("已改派。")),
    "reply": (
        lambda u, d, c: services.ticket_reply(
            actor=u, demand=d, answer=c["answer"], expected_version=c["version"]
        ),
        _("已答复，等待企业回访评价。"),
    ),
    "follow_up": (_act_follow_up(FollowUp.Channel.SITE), _("感谢您的评价。")),
    "phone_follow_up": (_act_follow_up(FollowUp.Channel.PHONE), _("电话回访已记录。")),
    "exclude": (
        lambda u, d, c: services.demand_exclude(actor=u, demand=d, reason=c["reason"]),
        _("已决定不计入三率。"),
    ),
    "include": (
        lambda u, d, c: services.demand_include(actor=u, demand=d, reason=c["reason"]),
        _("已恢复计入三率。"),
    ),
    "link_repeat": (_act_link, _("已关联为重复诉求并入原诉求。")),
}


@login_required
@require_POST
def demand_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTS:
        raise Http404(_("没有这项操作。"))
    user = request.user
    demand = _get_demand(user, pk)
    if action == "redispatch":
        form: forms.Form = RedispatchForm(
            request.POST, departments=list(selectors.active_departments()), auto_id="redispatch-%s"
        )
    else:
        form = FORMS[action](request.POST, auto_id=f"{action}-%s")
    act, done = ACTS[action]
    if form.is_valid():
        try:
            act(user, demand, form.cleaned_data)
        except Conflict as exc:
            return _demand_page(request, _get_demand(user, pk), conflict=exc.message_text, status=409)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, str(done))
            target = NEXT_PAGES.get(request.POST.get("next", ""))
            if target is not None:
                return redirect(target)
            return redirect("frontline:demand", pk=pk)
    demand = _get_demand(user, pk)
    shown = action in _allowed(user, demand)
    errors = (
        []
        if shown
        else [str(e) for e in form.non_field_errors()]
        or [str(m) for field_errors in form.errors.values() for m in field_errors]
    )
    return _demand_page(request, demand, bound={action: form}, errors=errors, status=400)


# ----------------------------------------------------------------------------- recording a demand
def _record(user: Any, form: DemandForm, own: list[Any]) -> Demand:
    data = form.cleaned_data
    if own:
        enterprise = next((e for e in own if e.pk == data["enterprise"]), None)
        return services.demand_record(
            actor=user,
            source=Demand.Source.ENTERPRISE,
            category=data["category"],
            description=data["description"],
            urgency=data["urgency"],
            enterprise=enterprise,
            requester_name=getattr(user, "name", "") or "",
            requester_contact=data["requester_contact"],
            place=data["place"],
        )
    return services.demand_record(
        actor=user,
        source=data["source"],
        category=data["category"],
        description=data["description"],
        urgency=data["urgency"],
        enterprise=selectors.enterprise_named(user, data["enterprise"]),
        requester_name=data["requester_name"],
        requester_contact=data["requester_contact"],
        place=data["place"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_new(request: HttpRequest) -> HttpResponse:
    from shouzhan.registry.selectors import enterprise_visible

    user = request.user
    receiver = perms.can_receive(user)
    own: list[Any] = []
    if not receiver:
        own = list(enterprise_visible(actor=user).order_by("name"))
        if not own:
            raise PermissionDenied(_("登记诉求需要营商专员账号，或先关联您的企业。"))
    rules = dispatch_rules(timezone.localdate())
    form = DemandForm(request.POST or None, rules=rules, own_enterprises=own if not receiver else None)
    if request.method == "POST" and form.is_valid():
        try:
            demand = _record(user, form, own)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            dept = demand.department.name if demand.department else ""
            messages.success(
                request,
                _("已登记并派给%(d)s，签收期限 %(a)s，办结期限 %(r)s。")
                % {"d": dept, "a": demand.accept_due_on, "r": demand.resolve_due_on},
            )
            if own:
                return redirect("frontline:mine")
            return redirect("frontline:demand", pk=demand.pk)
    options = (
        []
        if own
        else list(enterprise_visible(actor=user).order_by("name").values_list("name", "credit_code")[:50])
    )
    context = {
        "active_nav": "frontline_new" if receiver else "frontline_mine",
        "form": form,
        "rules": rules,
        "own": bool(own),
        "enterprise_options": options,
    }
    return render(request, "frontline/demand_new.html", context, status=400 if form.errors else 200)


# ----------------------------------------------------------------------------- an enterprise's own
@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    demands = selectors.my_demands(user)
    rows = [
        (
            d,
            selectors.state_label(d.case.state),
            FollowUpForm(initial={"version": d.version}, auto_id=f"d{d.pk}-%s")
            if d.case.state == "replied"
            else None,
        )
        for d in demands
    ]
    context = {
        "active_nav": "frontline_mine",
        "rows": rows,
        "has_enterprise": bool(member_enterprise_ids(user)),
        "labels": selectors.category_labels(),
        "open_count": sum(1 for d in demands if d.case.state in selectors.OPEN_STATES),
        "to_rate": sum(1 for d in demands if d.case.state == "replied"),
    }
    return render(request, "frontline/mine.html", context)


# ----------------------------------------------------------------------------- the dispatch catalogue
def _rule_rows(view: selectors.CatalogueView) -> list[dict[str, Any]]:
    return [
        {
            "category": r.category,
            "label": r.label,
            "department": r.department.key,
            "accept_days": r.accept_days,
            "resolve_days": r.resolve_days,
            "urgent_resolve_days": r.urgent_resolve_days,
            "keywords": r.keywords,
        }
        for r in view.rules
    ]


@login_required
@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_frontline(user)
    manage = perms.can_manage_catalogue(user)
    if request.method == "POST" and not manage:
        raise PermissionDenied(_("只有中心领导或管理员可以修订派单目录和部门。"))
    view = selectors.dispatch_catalogue_view()
    departments = list(selectors.active_departments())
    data = request.POST if request.method == "POST" else None
    publish = PublishForm(data, initial={"valid_from": timezone.localdate()})
    rows = RuleFormSet(
        data, initial=_rule_rows(view), prefix="rules", form_kwargs={"departments": departments}
    )
    status = 200
    if data is not None:
        if publish.is_valid() and rows.is_valid():
            deleted = {id(f) for f in rows.deleted_forms}
            rules = [f.as_rule() for f in rows.forms if f.cleaned_data and id(f) not in deleted]
            try:
                version = services.dispatch_catalogue_publish(
                    actor=user,
                    valid_from=publish.cleaned_data["valid_from"],
                    rules=rules,
                    note=publish.cleaned_data["note"],
                    source=_("页面修订"),
                )
            except ValidationError as exc:
                add_service_errors(publish, exc)
            else:
                messages.success(
                    request,
                    _("已发布派单目录第 %(n)s 版，自 %(d)s 起生效。")
                    % {"n": version.number, "d": version.valid_from},
                )
                return redirect("frontline:catalogue")
        status = 400
    context = {
        "active_nav": "frontline_catalogue",
        "view": view,
        "manage": manage,
        "publish": publish,
        "rows": rows,
    }
    return render(request, "frontline/catalogue.html", context, status=status)
