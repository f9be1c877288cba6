"""Pages: the policy library, a policy, a clause in plain words, the calculator, and policy officers'
upload → review (diff and affected enterprises) → publish."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shouzhan.core.forms import add_service_errors
from shouzhan.policies import selectors, services
from shouzhan.policies.forms import FactsForm, PublishForm, UploadForm, field_name
from shouzhan.policies.permissions import can_edit_policies, can_see_drafts, require_policy_editor
from shouzhan.policies.plain import condition_lines, describe
from shouzhan.policies.present import PER, present
from shouzhan.rules.vocabulary import DISTRICTS, SECTORS

SECTOR_LABELS = {
    "micro_drama": _("AI 微短剧"),
    "ai_agent": _("智能体"),
    "live_streaming": _("直播电商"),
    "ip_design": _("IP 设计"),
    "cross_border": _("跨境出海"),
    "other": _("其他"),
}


def library(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    q = request.GET.get("q", "")[:100]
    issuer = request.GET.get("issuer", "")[:100]
    district = request.GET.get("district", "")
    sector = request.GET.get("sector", "")
    district = district if district in DISTRICTS else ""
    sector = sector if sector in SECTORS else ""
    entries = selectors.policy_library(on=today, q=q, issuer=issuer, district=district, sector=sector)
    context = {
        "active_nav": "policies",
        "entries": entries,
        "q": q,
        "issuer": issuer,
        "district": district,
        "sector": sector,
        "issuers": selectors.issuers(),
        "districts": DISTRICTS,
        "sectors": [(s, SECTOR_LABELS.get(s, s)) for s in SECTORS],
        "count": sum(len(e.clauses) for e in entries),
        "is_policy_staff": can_edit_policies(request.user),
        "per": PER,
    }
    template = (
        "policies/_library_results.html" if getattr(request, "htmx", False) else "policies/library.html"
    )
    return render(request, template, context)


def document(request: HttpRequest, code: str) -> HttpResponse:
    doc = selectors.document_get(code=code)
    versions = selectors.document_versions(actor=request.user, document=doc)
    in_force = next(
        (v for v in selectors.versions_in_force(on=timezone.localdate()) if v.document_id == doc.pk), None
    )
    policy = selectors.version_policy(in_force) if in_force else None
    context = {
        "active_nav": "policies",
        "doc": doc,
        "versions": versions,
        "in_force": in_force,
        "policy": policy,
        "is_policy_staff": can_edit_policies(request.user),
        "per": PER,
    }
    return render(request, "policies/document.html", context)


def clause(request: HttpRequest, clause_id: str) -> HttpResponse:
    today = timezone.localdate()
    policy, cl, version = selectors.clause_get(clause_id=clause_id, on=today)
    params = {name: p.label_zh for name, p in policy.parameters.items()}
    modifiers = [m for m in policy.modifiers if cl.id in m.clauses]
    context = {
        "active_nav": "policies",
        "policy": policy,
        "clause": cl,
        "version": version,
        "applies_to": condition_lines(policy.applies_to.tree, params) if policy.applies_to else [],
        "condition": condition_lines(cl.condition.tree, params) if cl.condition else [],
        "amount": describe(cl.amount.tree, params) if cl.amount else "",
        "modifiers": [
            (m, describe(m.condition.tree, params), f"{float(m.bonus * 100):g}%") for m in modifiers
        ],
        "parameters": [
            (name, p, p.at(today))
            for name, p in policy.parameters.items()
            if name in (cl.amount.source if cl.amount else "")
        ],
        "per": PER,
    }
    return render(request, "policies/clause.html", context)


@require_http_methods(["GET"])
def calculator(request: HttpRequest) -> HttpResponse:
    """Every clause as 可申报 / 不符合 / 待补充信息 with the maximum, the reasons and the missing facts.

    An enterprise member starts from their profile and a project; anyone may change the facts and see
    the result update (htmx). Nothing typed here is saved. With a person fact typed, only the clauses
    about a person are calculated (with the enterprise facts as the person's employer's).
    """
    from shouzhan.registry.selectors import enterprise_facts

    subject = selectors.calculator_subject(
        actor=request.user,
        enterprise=request.GET.get("enterprise", ""),
        project=request.GET.get("project", ""),
    )
    enterprise, project = subject.enterprise, subject.project
    status = 200
    on = timezone.localdate()
    facts: dict[str, Any] | None
    if "submitted" in request.GET:
        form = FactsForm(request.GET)
        if form.is_valid():
            facts = form.nested_facts()
            on = form.cleaned_data.get("on") or on
        else:
            facts, status = None, 400
    else:
        facts = enterprise_facts(enterprise=enterprise, project=project) if enterprise else {}
        form = FactsForm(initial=FactsForm.initial_from(facts))
    result = views = None
    if facts is not None:
        result = selectors.calculate(facts=facts, on=on)
        views = present(result.results, result.catalogue or selectors.catalogue_in_force(on=on), facts)
    missing = result.missing_facts if result else []
    context = {
        "active_nav": "calculator",
        "form": form,
        "enterprise": enterprise,
        "project": project,
        "projects": subject.projects,
        "result": result,
        "views": views,
        "missing_fields": {field_name(f) for f in missing},
        "not_eligible": [v for v in views or [] if v.status == "not_eligible"],
        # Members apply for their own enterprise; the form refuses anything the facts do not support.
        "can_apply": subject.can_apply,
        # Person facts typed: only a person's clauses were calculated (they apply on the person's own page).
        "about_person": bool(facts and facts.get("person")),
        "on": on,
    }
    template = "policies/_calculator.html" if getattr(request, "htmx", False) else "policies/calculator.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    require_policy_editor(request.user, _("只有政策专员可以上传规则文件。"))
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                version = services.policy_version_upload(
                    actor=request.user,
                    text=form.cleaned_data["text"],
                    filename=form.cleaned_data["filename"],
                    note=form.cleaned_data.get("note", ""),
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("已保存为草稿，请核对差异和受影响的企业后发布。"))
                return redirect("policies:version", pk=version.pk)
        status = 400
    return render(request, "policies/upload.html", {"form": form, "active_nav": "policies"}, status=status)


@login_required
@require_http_methods(["GET"])
def version(request: HttpRequest, pk: int) -> HttpResponse:
    v = selectors.version_get(actor=request.user, pk=pk)
    today = timezone.localdate()
    review = (
        selectors.version_review(actor=request.user, version=v, on=today)
        if can_see_drafts(request.user)
        else None
    )
    form = PublishForm(initial={"effective_from": today + dt.timedelta(days=1)})
    context = {
        "active_nav": "policies",
        "v": v,
        "review": review,
        "form": form,
        "is_policy_staff": can_edit_policies(request.user),
    }
    return render(request, "policies/version.html", context)


@login_required
@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    v = selectors.version_get(actor=request.user, pk=pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.policy_version_publish(
                actor=request.user, version=v, effective_from=form.cleaned_data["effective_from"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("第 %(n)d 版已发布。") % {"n": v.number})
            return redirect("policies:document", code=v.document.code)
    review = selectors.version_review(actor=request.user, version=v, on=timezone.localdate())
    context = {"active_nav": "policies", "v": v, "review": review, "form": form, "is_policy_staff": True}
    return render(request, "policies/version.html", context, status=400)


@login_required
@require_POST
def version_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    v = selectors.version_get(actor=request.user, pk=pk)
    try:
        services.policy_version_withdraw(
            actor=request.user, version=v, reason=request.POST.get("reason", "")[:500]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("policies:version", pk=pk)
    messages.success(request, _("草稿已撤回。"))
    return redirect("policies:document", code=v.document.code)


def version_text(request: HttpRequest, pk: int) -> HttpResponse:
    v = selectors.version_get(actor=request.user, pk=pk)
    response = HttpResponse(v.text, content_type="text/yaml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{v.document.code}-v{v.number}.yaml"'
    return response
