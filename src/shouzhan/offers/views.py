"""Pages of offers (政策直达 / 免申即享): thin — parse with a form, call a selector or a service, render.

The enterprise's side: its offers and prompts with the amount, the clause's own words, the reasons in
sentences (the one trace presenter, policies.trace) and the facts used; one offer to confirm in one click,
decline with a reason, or answer a prompt's questions. The staff's side: the push runs (live progress), the
figures with the .xlsx export, and the exclusion list. Refusals follow the one rule: another enterprise's
offer is 404, a staff page for an enterprise member is 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shouzhan.core.forms import add_service_errors
from shouzhan.core.money import format_yuan
from shouzhan.offers import figures, permissions, selectors, services
from shouzhan.offers.forms import (
    DECLARATION,
    ConfirmForm,
    DeclineForm,
    ExclusionForm,
    PromptForm,
    RevokeForm,
    RunStartForm,
)
from shouzhan.offers.models import Offer, PushRun
from shouzhan.offers.panels import offer_card, offer_heading
from shouzhan.policies.permissions import can_read_rule_expressions
from shouzhan.registry.permissions import member_enterprise_ids

ENDED = (Offer.State.DECLINED, Offer.State.WITHDRAWN, Offer.State.EXPIRED)


def _can_answer(user: Any, offer: Offer) -> bool:
    try:
        permissions.require_offer_answer(user, offer)
    except (PermissionDenied, Http404):
        return False
    return True


def _pk(value: str | None) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise Http404(_("没有找到该企业。"))
    return int(text)


# ----------------------------------------------------------------------------- the enterprise's side
@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """政策直达 · 为您推送: the enterprise's offers and prompts (a member of several chooses one; staff pass
    ?enterprise=N to see what one enterprise is offered, and why it gets nothing when excluded)."""
    from shouzhan.registry.selectors import enterprise_get, enterprise_visible

    user = request.user
    staff = permissions.can_see_all(user)
    mine = sorted(member_enterprise_ids(user))
    chosen = _pk(request.GET.get("enterprise"))
    if chosen is None:
        if staff and not mine:
            return redirect("offers:runs")
        if not mine:
            personal = [offer_card(o, can_correct=True) for o in selectors.person_offers(actor=user)]
            alone: dict[str, Any] = {"active_nav": "offers", "enterprise": None, "personal_cards": personal}
            return render(request, "offers/index.html", alone)
        chosen = mine[0]
    enterprise = enterprise_get(actor=user, pk=chosen)
    can_correct = chosen in mine
    offers = selectors.enterprise_offers(actor=user, enterprise_id=chosen)
    cards = [
        offer_card(o, can_correct=can_correct if o.person_id is None else _can_answer(user, o))
        for o in offers
    ]
    ended = selectors.enterprise_offers(actor=user, enterprise_id=chosen, states=ENDED)[:20]
    offered = [c for c in cards if c.offer.state == Offer.State.OFFERED]
    context = {
        "active_nav": "offers" if mine else "offers_runs",
        "enterprise": enterprise,
        "choices": list(enterprise_visible(actor=user).filter(pk__in=mine)) if len(mine) > 1 else [],
        "open_cards": [c for c in cards if c.offer.is_open],
        "done_cards": [c for c in cards if not c.offer.is_open],
        "ended": [(o, offer_heading(o)[0], _card_cause(o)) for o in ended],
        "offered_count": len(offered),
        "total_fen": sum(c.offer.max_amount_fen or 0 for c in offered),
        "prompt_count": sum(1 for c in cards if c.offer.state == Offer.State.PROMPT),
        "exclusions": figures.enterprise_exclusions(actor=user, enterprise_id=chosen),
        "staff": staff,
        "officer": can_read_rule_expressions(user),
    }
    return render(request, "offers/index.html", context)


def _card_cause(offer: Offer) -> str:
    if offer.state == Offer.State.WITHDRAWN and offer.withdraw_cause:
        return str(Offer.Cause(offer.withdraw_cause).label)
    if offer.state == Offer.State.EXPIRED:
        return _("未在确认期限内确认")
    return offer.reason


def _detail(
    request: HttpRequest,
    offer: Offer,
    *,
    confirm_form: ConfirmForm | None = None,
    decline_form: DeclineForm | None = None,
    prompt_form: PromptForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_answer = _can_answer(user, offer)
    card = offer_card(offer, can_correct=can_answer)
    contact = " ".join(p for p in (getattr(user, "name", ""), getattr(user, "mobile", "") or "") if p)
    shown = {  # which forms the page shows for this offer now
        "confirm": can_answer and offer.state == Offer.State.OFFERED,
        "prompt": can_answer and offer.state == Offer.State.PROMPT,
        "decline": can_answer and offer.is_open,
    }
    errors = [  # a refusal of a form the offer's state no longer shows (e.g. confirming a withdrawn one)
        e
        for name, form in (("confirm", confirm_form), ("prompt", prompt_form), ("decline", decline_form))
        if form is not None and not shown[name]
        for e in form.non_field_errors()
    ]
    context = {
        "active_nav": "offers" if can_answer else "offers_runs",
        "errors": errors,
        "card": card,
        "offer": offer,
        "can_answer": can_answer,
        "declaration": DECLARATION,
        "confirm_form": confirm_form or ConfirmForm(initial={"contact": contact}),
        "decline_form": decline_form or DeclineForm(),
        "prompt_form": prompt_form or PromptForm(questions=card.questions),
        "officer": can_read_rule_expressions(user),
        "case_state": _case_state(offer),
        "today": timezone.localdate(),
        "apply_url": _apply_url(offer),
    }
    return render(request, "offers/detail.html", context, status=status)


def _apply_url(offer: Offer) -> str:
    """A person's offer is applied for with its talent service's own form (services.person_case_type)."""
    from django.urls import NoReverseMatch, reverse

    from shouzhan.offers.people import person_case_type

    case_type = person_case_type(offer)
    if not case_type:
        return ""
    try:
        return reverse("talent:apply", args=[case_type.split(".", 1)[1]])
    except NoReverseMatch:
        return ""


def _case_state(offer: Offer) -> str:
    from shouzhan.cases.workflow import case_type_get

    if offer.case is None:
        return ""
    return str(case_type_get(offer.case.case_type).state(offer.case.state).applicant_label)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.offer_get(actor=request.user, pk=pk))


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    offer = selectors.offer_get(actor=request.user, pk=pk)
    permissions.require_offer_answer(request.user, offer)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            offer = services.offer_confirm(
                actor=request.user,
                offer=offer,
                contact=form.cleaned_data["contact"],
                declaration_accepted=form.cleaned_data["declaration"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            due = offer.case.due_on if offer.case else None
            messages.success(
                request,
                _("已确认。服务中心将在 %(d)s 前办结，可在办件页查看进度。") % {"d": due.isoformat()}
                if due
                else _("已确认，服务中心将尽快办理。"),
            )
            return redirect("offers:detail", pk=offer.pk)
    return _detail(request, selectors.offer_get(actor=request.user, pk=pk), confirm_form=form, status=400)


@login_required
@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    offer = selectors.offer_get(actor=request.user, pk=pk)
    permissions.require_offer_answer(request.user, offer)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.offer_decline(actor=request.user, offer=offer, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.info(request, _("已放弃这项推送。如情况变化，仍可通过政策计算器自行申报。"))
            return redirect("offers:detail", pk=offer.pk)
    return _detail(request, selectors.offer_get(actor=request.user, pk=pk), decline_form=form, status=400)


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A prompt's answers: written to the profile or the project, the enterprise re-evaluated at once, and
    the result said on the page it comes back to (now an offer, still missing something, or not eligible)."""
    offer = selectors.offer_get(actor=request.user, pk=pk)
    permissions.require_offer_answer(request.user, offer)
    questions = selectors.offer_explain(offer).missing if offer.state == Offer.State.PROMPT else []
    form = PromptForm(request.POST, questions=questions)
    if form.is_valid():
        try:
            now = services.prompt_answer(actor=request.user, offer=offer, answers=form.answers())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _say_prompt_result(request, now)
            return redirect("offers:detail", pk=now.pk)
    return _detail(request, selectors.offer_get(actor=request.user, pk=pk), prompt_form=form, status=400)


def _say_prompt_result(request: HttpRequest, offer: Offer) -> None:
    if offer.state == Offer.State.OFFERED:
        amount = format_yuan(offer.max_amount_fen) if offer.max_amount_fen is not None else ""
        messages.success(
            request,
            _("信息已保存。按您补充的信息，符合该条款的条件%(a)s，现在可以确认申领。")
            % {"a": _("，最高 %(y)s") % {"y": amount} if amount else ""},
        )
    elif offer.state == Offer.State.PROMPT:
        messages.info(request, _("信息已保存。还需要补充下面的信息才能判断。"))
    else:
        messages.warning(request, _("信息已保存。按您补充的信息，暂不符合该条款的条件。"))


# ----------------------------------------------------------------------------- the staff's side
@login_required
@require_http_methods(["GET", "POST"])
def runs(request: HttpRequest) -> HttpResponse:
    """The push runs, newest first, and (for operators) the form that starts one."""
    rows = selectors.runs_list(actor=request.user)  # 403 for anyone but the centre's staff
    can_operate = permissions.can_operate(request.user)
    form = RunStartForm(request.POST or None)
    status = 200
    if request.method == "POST":
        permissions.require_operator(request.user)
        if form.is_valid():
            try:
                run = services.push_run_start(
                    actor=request.user,
                    trigger=PushRun.Trigger.MANUAL,
                    engine_name=form.cleaned_data["engine"],
                    scope=form.cleaned_data["scope"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("推送已排队，后台开始运行后本页会自动更新进度。"))
                return redirect("offers:run", pk=run.pk)
        status = 400
    context = {"active_nav": "offers_runs", "runs": rows, "form": form, "can_operate": can_operate}
    return render(request, "offers/runs.html", context, status=status)


@login_required
@require_GET
def run(request: HttpRequest, pk: int) -> HttpResponse:
    """One run: while it is queued or running its progress block asks for itself again every second."""
    row = selectors.run_get(actor=request.user, pk=pk)
    if row.status == PushRun.Status.RUNNING and services.push_runs_recover():
        row.refresh_from_db()  # its worker had died: queued again, or failed after too many tries
    context = {
        "active_nav": "offers_runs",
        "run": row,
        "report": figures.run_report(actor=request.user, run=row),
    }
    template = "offers/_run.html" if getattr(request, "htmx", False) else "offers/run.html"
    return render(request, template, context)


@login_required
@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    rows = figures.funnel(actor=request.user)
    context = {
        "active_nav": "offers_runs",
        "funnel": rows,
        "chart": figures.funnel_chart(rows),
        "times": figures.confirm_times(actor=request.user),
        "clauses": figures.clause_counts(actor=request.user),
    }
    return render(request, "offers/figures.html", context)


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    content = services.offers_export(actor=request.user)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="offers-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


def _enterprise_named(actor: Any, text: str) -> int:
    """The enterprise the chooser names (exact name or credit code, or the one match); a clear error."""
    from shouzhan.registry.selectors import enterprise_visible

    text = (text or "").strip()
    found = list(enterprise_visible(actor=actor, q=text)[:50]) if text else []
    exact = [e for e in found if e.name == text or (e.credit_code or "") == text.upper()]
    if len(exact) == 1:
        return exact[0].pk
    if len(found) == 1:
        return found[0].pk
    if not found:
        raise ValidationError(
            {"enterprise": [_("企业库中没有找到“%(q)s”，请检查名称或统一社会信用代码。") % {"q": text}]}
        )
    raise ValidationError(
        {"enterprise": [_("“%(q)s”对应多家企业，请填写完整名称或统一社会信用代码。") % {"q": text}]}
    )


@login_required
@require_http_methods(["GET", "POST"])
def exclusions(request: HttpRequest) -> HttpResponse:
    rows = figures.exclusions_list(actor=request.user)  # 403 for anyone but the centre's staff
    today = timezone.localdate()
    form = ExclusionForm(request.POST or None, today=today)
    status = 200
    if request.method == "POST":
        permissions.require_operator(request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                exclusion = services.exclusion_add(
                    actor=request.user,
                    enterprise_id=_enterprise_named(request.user, data["enterprise"]),
                    reason=data["reason"],
                    source=data["source"],
                    valid_from=data["valid_from"],
                    valid_to=data["valid_to"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已将“%(e)s”列入推送排除名单，其待确认的推送已撤回。")
                    % {"e": exclusion.enterprise.name},
                )
                return redirect("offers:exclusions")
        status = 400
    return _exclusions_page(request, rows, form, status=status)


def _exclusions_page(
    request: HttpRequest,
    rows: list[Any],
    form: ExclusionForm,
    *,
    revoke: tuple[int, RevokeForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "active_nav": "offers_exclusions",
        "rows": [(e, figures.exclusion_in_force(e, today)) for e in rows],
        "form": form,
        "can_operate": permissions.can_operate(request.user),
        "revoke_pk": revoke[0] if revoke else None,
        "revoke_form": revoke[1] if revoke else RevokeForm(),
    }
    return render(request, "offers/exclusions.html", context, status=status)


@login_required
@require_POST
def exclusion_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    exclusion = figures.exclusion_get(actor=request.user, pk=pk)
    permissions.require_operator(request.user)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.exclusion_revoke(
                actor=request.user, exclusion=exclusion, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已将“%(e)s”移出推送排除名单，系统正在重新评估。") % {"e": exclusion.enterprise.name},
            )
            return redirect("offers:exclusions")
    rows = figures.exclusions_list(actor=request.user)
    return _exclusions_page(
        request, rows, ExclusionForm(today=timezone.localdate()), revoke=(exclusion.pk, form), status=400
    )
