"""Login, admin login, password change and reset, and registration forms with messages in Chinese (English through i18n)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.accounts import audit_actions as A
from shouzhan.accounts import services, throttle
from shouzhan.accounts.backends import password_check
from shouzhan.accounts.models import User
from shouzhan.accounts.validators import normalize_mobile, validate_mobile
from shouzhan.core.limits import BoundedForm, BoundedFormMixin
from shouzhan.core.middleware import client_ip


class LoginForm(BoundedForm):
    login = forms.CharField(
        label=_l("手机号或电子邮箱"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_l("密码"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class FounderAccountForm(BoundedForm):
    """A founder's own account: who they are, how they log in, and their consent. Registering with an
    enterprise adds the enterprise's fields (`registry.forms.RegisterForm`)."""

    name = forms.CharField(label=_l("您的姓名"), max_length=100)
    mobile = forms.CharField(
        label=_l("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_l("电子邮箱"), required=False, help_text=_l("选填，可用于登录和接收通知"))
    password1 = forms.CharField(
        label=_l("密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_l("至少 8 位，不能全是数字"),
    )
    password2 = forms.CharField(
        label=_l("确认密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    agree = forms.BooleanField(label=_l("我已阅读并同意平台服务条款和个人信息保护说明"))

    def clean_mobile(self) -> str:
        value = self.cleaned_data["mobile"]
        validate_mobile(value)
        mobile = normalize_mobile(value)
        if User.objects.filter(mobile=mobile).exists():
            raise forms.ValidationError(_("该手机号已注册，请直接登录。"))
        return mobile

    def clean_email(self) -> str | None:
        email = (self.cleaned_data.get("email") or "").lower() or None
        if email and User.objects.filter(email=email).exists():
            raise forms.ValidationError(_("该邮箱已注册，请直接登录。"))
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif p1:
            probe = User(name=data.get("name", ""), mobile=data.get("mobile"), email=data.get("email"))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class MemberAddForm(BoundedForm):
    name = forms.CharField(label=_l("姓名"), max_length=100)
    mobile = forms.CharField(label=_l("手机号"), max_length=20)
    email = forms.EmailField(label=_l("电子邮箱"), required=False)
    title = forms.CharField(label=_l("职务"), max_length=60, required=False)
    password = forms.CharField(
        label=_l("初始密码"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_l("对方尚无账号时必填；已有账号的用户将直接加入"),
    )

    def clean_mobile(self) -> str:
        validate_mobile(self.cleaned_data["mobile"])
        return normalize_mobile(self.cleaned_data["mobile"])

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            password_validation.validate_password(password)
        return password


class AdminLoginForm(BoundedFormMixin, AdminAuthenticationForm):
    """The admin's login: the same backend and throttle as the login page, and the same lockout message."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            refusal = throttle.refusal(self.request)
            if refusal is not None:
                raise ValidationError(refusal.message, code="throttled") from None
            raise


_NEW_PASSWORD_HELP = _l("至少 8 位，不能全是数字")


class _PasswordSetMixin:
    """Saving goes through the service (audited); the new-password help is one line of text."""

    user: User
    cleaned_data: dict[str, Any]
    fields: dict[str, forms.Field]
    audit_action = ""

    def _short_help(self) -> None:
        self.fields["new_password1"].help_text = _NEW_PASSWORD_HELP

    def save(self, commit: bool = True) -> User:
        services.password_set(
            actor=self.user,
            user=self.user,
            password=self.cleaned_data["new_password1"],
            action=self.audit_action,
        )
        return self.user


class AccountPasswordChangeForm(BoundedFormMixin, _PasswordSetMixin, PasswordChangeForm):
    """The old password is checked through the login throttle: a borrowed session cannot guess it."""

    audit_action = A.PASSWORD_CHANGE

    def __init__(self, user: User, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request
        self.refusal: throttle.Throttled | None = None
        self._short_help()

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        try:
            ok = password_check(
                request=self.request,
                user=self.user,
                login=self.user.login_name,
                password=old,
                purpose="password_change",
            )
        except throttle.Throttled as refusal:
            self.refusal = refusal
            raise ValidationError(refusal.message, code="throttled") from None
        if ok is None:
            raise ValidationError(_("原密码不正确，请重新输入。"), code="password_incorrect")
        return str(old)


class AccountSetPasswordForm(BoundedFormMixin, _PasswordSetMixin, SetPasswordForm):  # type: ignore[misc]
    """The new password after following the e-mailed link."""

    audit_action = A.PASSWORD_RESET

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self._short_help()


class AccountPasswordResetForm(BoundedFormMixin, PasswordResetForm):
    """Each request counts per mailbox and per client address before any e-mail is sent."""

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.refusal: throttle.Throttled | None = None
        self.fields["email"].label = _l("注册时填写的电子邮箱")

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        try:
            throttle.reserve(
                throttle.PASSWORD_RESET,
                identity=f"email:{email}",
                address=client_ip(self.request) if self.request is not None else None,
            )
        except throttle.Throttled as refusal:
            self.refusal = refusal
            raise ValidationError(refusal.message, code="throttled") from None
        return email

    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        for user in self.get_users(self.cleaned_data["email"]):
            services.password_reset_requested(user=user)
        super().save(**kwargs)
