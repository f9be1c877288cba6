"""Registering with an enterprise, and an enterprise's members: the form and the pages.

They join accounts (users, organisations, members) to the registry's enterprises, so they are the
registry's; they keep the accounts/ URLs and the names `accounts:register` and `accounts:members`
(`registry.account_urls` serves them in that namespace).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from shouzhan.accounts import selectors as accounts_selectors
from shouzhan.accounts import throttle
from shouzhan.accounts.forms import FounderAccountForm, MemberAddForm
from shouzhan.accounts.permissions import can_manage_members
from shouzhan.core.forms import add_service_errors
from shouzhan.core.middleware import client_ip
from shouzhan.registry import credit_code as cc
from shouzhan.registry import selectors, services
from shouzhan.registry.choices import DISTRICT_CHOICES, Sector
from shouzhan.registry.models import Enterprise


class RegisterForm(FounderAccountForm):
    """The founder's account and their enterprise or team."""

    enterprise_name = forms.CharField(label=_l("企业或团队名称"), max_length=200)
    credit_code = forms.CharField(
        label=_l("统一社会信用代码"),
        max_length=24,
        required=False,
        help_text=_l("已注册的企业请填写；尚未注册的团队可以留空"),
    )
    district = forms.ChoiceField(label=_l("所在区"), choices=[("", "—"), *DISTRICT_CHOICES], required=False)
    sector = forms.ChoiceField(label=_l("行业"), choices=[("", "—"), *Sector.choices], required=False)

    def clean_credit_code(self) -> str | None:
        value = self.cleaned_data.get("credit_code") or ""
        if not value.strip():
            return None
        try:
            code = cc.validate(value)
        except cc.CreditCodeError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if selectors.enterprise_has_accounts(credit_code=code):
            raise forms.ValidationError(_("该信用代码的企业已有账号，请联系企业负责人把您添加为成员。"))
        return code


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("site:home")
    form = RegisterForm(request.POST or None)
    if request.method != "POST":
        return render(request, "registry/register.html", {"form": form})
    try:
        throttle.reserve(throttle.REGISTER, address=client_ip(request))
    except throttle.Throttled as refusal:
        # Not validated: a waiting client learns nothing (not even whether a number is taken).
        kept = {k: v for k, v in request.POST.items() if not k.startswith("password")}
        context = {"form": RegisterForm(initial=kept), "refusal": refusal.message}
        return render(request, "registry/register.html", context, status=429)
    if form.is_valid():
        d = form.cleaned_data
        try:
            user, enterprise = services.entrepreneur_register(
                name=d["name"],
                password=d["password1"],
                mobile=d["mobile"],
                email=d["email"],
                enterprise_name=d["enterprise_name"],
                credit_code=d["credit_code"],
                district=d["district"],
                sector=d["sector"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            login(request, user, backend="shouzhan.accounts.backends.MobileOrEmailBackend")
            messages.success(request, _("注册成功！请完善企业信息，以便为您匹配政策。"))
            return redirect("registry:enterprise_edit", pk=enterprise.pk)
    return render(request, "registry/register.html", {"form": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def members_view(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = selectors.enterprise_get(actor=request.user, pk=pk)  # 404 before anything else
    form = MemberAddForm(request.POST or None)
    status = 200
    if request.method == "POST" and enterprise.organisation is not None:
        if "remove" in request.POST:
            return _member_remove(request, enterprise)
        if _member_added(request, enterprise, form):
            messages.success(request, _("已添加成员。"))
            return redirect("accounts:members", pk=pk)
        status = 400
    context = {
        "enterprise": enterprise,
        "memberships": accounts_selectors.membership_list(organisation=enterprise.organisation),
        "form": form,
        "can_manage": can_manage_members(request.user, enterprise.organisation),
        "active_nav": "enterprise",
        "tab": "members",
    }
    return render(request, "registry/members.html", context, status=status)


def _member_remove(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    membership = accounts_selectors.membership_get(
        organisation=enterprise.organisation, pk=request.POST["remove"]
    )
    try:
        services.enterprise_member_remove(actor=request.user, enterprise=enterprise, membership=membership)
        messages.success(request, _("已移除成员。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:members", pk=enterprise.pk)


def _member_added(request: HttpRequest, enterprise: Enterprise, form: MemberAddForm) -> bool:
    if not form.is_valid():
        return False
    d: dict[str, Any] = form.cleaned_data
    try:
        services.enterprise_member_add(
            actor=request.user,
            enterprise=enterprise,
            name=d["name"],
            mobile=d["mobile"],
            email=d["email"] or None,
            password=d["password"] or None,
            title=d["title"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    return True
