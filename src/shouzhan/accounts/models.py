"""Users (login by mobile or e-mail), organisations and their members."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouzhan.accounts.validators import normalize_mobile, validate_mobile
from shouzhan.core.roles import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self,
        *,
        name: str,
        password: str | None,
        mobile: str | None = None,
        email: str | None = None,
        **extra: Any,
    ) -> User:
        if not mobile and not email:
            raise ValueError("a user needs a mobile number or an e-mail address")
        user = self.model(
            name=name,
            mobile=normalize_mobile(mobile) if mobile else None,
            email=self.normalize_email(email).lower() if email else None,
            **extra,
        )
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("name", email.split("@")[0])
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(email=email, password=password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    name = models.CharField(_("姓名"), max_length=100)
    mobile = models.CharField(
        _("手机号"), max_length=11, unique=True, null=True, blank=True, validators=[validate_mobile]
    )
    email = models.EmailField(_("电子邮箱"), unique=True, null=True, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.ENTREPRENEUR)
    is_active = models.BooleanField(_("启用"), default=True)  # type: ignore[misc]
    is_staff = models.BooleanField(_("可进入管理后台"), default=False)
    date_joined = models.DateTimeField(_("注册时间"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=Q(mobile__isnull=False) | Q(email__isnull=False), name="user_has_login_name"
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.mobile or f"#{self.pk}"

    @property
    def display_name(self) -> str:
        return self.name or self.login_name

    @property
    def login_name(self) -> str:
        return self.mobile or self.email or ""

    @property
    def masked_mobile(self) -> str:
        return f"{self.mobile[:3]}****{self.mobile[-4:]}" if self.mobile else ""

    def clean(self) -> None:
        super().clean()
        if self.email == "":
            self.email = None
        if self.mobile == "":
            self.mobile = None


class Organisation(models.Model):
    """A tenant: an enterprise's account, the centre itself, or a service provider."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        CENTRE = "centre", _("服务中心")
        PROVIDER = "provider", _("服务商")

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.ENTERPRISE)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("用户")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("组织")
    )
    is_owner = models.BooleanField(_("负责人"), default=False)
    title = models.CharField(_("职务"), max_length=60, blank=True)
    joined_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
            # One owner per organisation, enforced by the database.
            models.UniqueConstraint(fields=["organisation"], condition=Q(is_owner=True), name="one_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class AuthAttempt(models.Model):
    """One try through the throttle (a login, a password reset request, a registration), kept for the
    throttle's window: in the database, so every process and worker counts the same tries. A login
    try is written before the password is checked and taken back if it succeeds."""

    scope = models.CharField(max_length=20)
    # The normalised identity ('user:42' for a known account, else the normalised login name).
    identity = models.CharField(max_length=300, blank=True)
    address = models.CharField(max_length=64, blank=True)  # the client address (IPv6: its /64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("认证尝试记录")
        verbose_name_plural = _("认证尝试记录")
        indexes = [
            models.Index(fields=["scope", "identity", "address", "at"], name="authattempt_identity_addr"),
            models.Index(fields=["scope", "address", "at"], name="authattempt_address"),
            models.Index(fields=["at"], name="authattempt_at"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.identity} {self.address} {self.at:%Y-%m-%d %H:%M:%S}"


class ThrottleLock(models.Model):
    """A row to lock while counting and recording a try, so that check and count cannot race."""

    key = models.CharField(max_length=400, unique=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("限流锁")
        verbose_name_plural = _("限流锁")

    def __str__(self) -> str:
        return self.key
