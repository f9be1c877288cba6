"""Login (throttled), logout, registration of an entrepreneur, and an enterprise's members."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from shouzhan.accounts import services, throttle
from shouzhan.accounts.forms import LoginForm, MemberAddForm, RegisterForm
from shouzhan.accounts.models import Membership
from shouzhan.core.audit import audit_record
from shouzhan.core.forms import add_service_errors
from shouzhan.core.middleware import client_ip
from shouzhan.core.permissions import require_enterprise_read, require_enterprise_write
from shouzhan.registry.models import Enterprise


def _next_url(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            name, password = form.cleaned_data["login"], form.cleaned_data["password"]
            ip = client_ip(request)
            wait = throttle.seconds_locked(name, ip)
            if wait:
                minutes = max(1, (wait + 59) // 60)
                form.add_error(None, _("登录失败次数过多，请 %(m)d 分钟后再试。") % {"m": minutes})
                status = 429
            else:
                user = authenticate(request, username=name, password=password)
                if user is None:
                    throttle.record_failure(name, ip)
                    form.add_error(None, _("手机号/邮箱或密码不正确。"))
                    status = 400
                else:
                    throttle.record_success(name)
                    login(request, user)
                    audit_record(actor=user, action="account.login", target=user)
                    return redirect(_next_url(request) or "core:home")
        else:
            status = 400
    return render(
        request, "accounts/login.html", {"form": form, "next": _next_url(request) or ""}, status=status
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("core:landing")


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    form = RegisterForm(request.POST or None)
    if request.method == "POST":
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
        return render(request, "accounts/register.html", {"form": form}, status=400)
    return render(request, "accounts/register.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def members_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_enterprise_read(request.user, pk)
    enterprise = get_object_or_404(Enterprise.objects.select_related("organisation"), pk=pk)
    organisation = enterprise.organisation
    form = MemberAddForm(request.POST or None)
    status = 200
    if request.method == "POST" and organisation is not None:
        require_enterprise_write(request.user, pk)
        if "remove" in request.POST:
            membership = get_object_or_404(Membership, pk=request.POST["remove"], organisation=organisation)
            try:
                services.member_remove(actor=request.user, membership=membership)
                messages.success(request, _("已移除成员。"))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("accounts:members", pk=pk)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.member_add(
                    actor=request.user,
                    organisation=organisation,
                    name=d["name"],
                    mobile=d["mobile"],
                    email=d["email"] or None,
                    password=d["password"] or None,
                    title=d["title"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已添加成员。"))
                return redirect("accounts:members", pk=pk)
        status = 400
    memberships = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-is_owner", "joined_at")
        if organisation
        else Membership.objects.none()
    )
    is_owner = any(m.is_owner and m.user_id == request.user.pk for m in memberships)
    context = {
        "enterprise": enterprise,
        "memberships": memberships,
        "form": form,
        "is_owner": is_owner,
        "active_nav": "enterprise",
        "tab": "members",
    }
    return render(request, "accounts/members.html", context, status=status)
