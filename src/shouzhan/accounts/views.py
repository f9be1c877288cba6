"""Login, logout, password change and reset, registration (all throttled), and an enterprise's members."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from shouzhan.accounts import services, throttle
from shouzhan.accounts.forms import (
    AccountPasswordChangeForm,
    AccountPasswordResetForm,
    AccountSetPasswordForm,
    LoginForm,
    MemberAddForm,
    RegisterForm,
)
from shouzhan.accounts.models import Membership
from shouzhan.core.forms import add_service_errors
from shouzhan.core.middleware import client_ip
from shouzhan.registry.models import Enterprise
from shouzhan.registry.permissions import require_enterprise_read, require_enterprise_write


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
        status = 400
        if form.is_valid():
            # The backend throttles, checks and audits; a refusal says how long to wait.
            user = authenticate(
                request, username=form.cleaned_data["login"], password=form.cleaned_data["password"]
            )
            if user is not None:
                login(request, user)
                return redirect(_next_url(request) or "core:home")
            refusal = throttle.refusal(request)
            if refusal is not None:
                form.add_error(None, refusal.message)
                status = 429
            else:
                form.add_error(None, _("手机号/邮箱或密码不正确。"))
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
        try:
            throttle.reserve(throttle.REGISTER, address=client_ip(request))
        except throttle.Throttled as refusal:
            # Not validated: a waiting client learns nothing (not even whether a number is taken).
            kept = {k: v for k, v in request.POST.items() if not k.startswith("password")}
            context = {"form": RegisterForm(initial=kept), "refusal": refusal.message}
            return render(request, "accounts/register.html", context, status=429)
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


class _ThrottledFormMixin:
    """The form checks the throttle itself (it needs the request); a refused form answers 429 when the
    throttle refused it and 400 when the input was wrong."""

    request: HttpRequest

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}  # type: ignore[misc]

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)  # type: ignore[misc]
        response.status_code = 429 if form.refusal is not None else 400
        return response


class PasswordChangeView(_ThrottledFormMixin, auth_views.PasswordChangeView):
    form_class = AccountPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(_ThrottledFormMixin, auth_views.PasswordResetView):
    form_class = AccountPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_sent")

    @property
    def extra_email_context(self) -> dict[str, Any]:  # type: ignore[override]
        return {"valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = AccountSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_done.html"
