"""The accounts module's audit actions: what its services, login backend and forms write."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _l

from shouzhan.core.audit import audit_actions_declare

audit_actions_declare(
    "accounts",
    {
        "user_register": _l("注册账号"),
        "login_succeed": _l("登录"),
        "login_fail": _l("登录失败"),
        "login_lock": _l("登录失败过多，暂时锁定"),
        "password_change": _l("修改密码"),
        "password_reset": _l("通过邮件重设密码"),
        "password_reset_request": _l("申请重设密码"),
        "member_add": _l("添加企业成员"),
        "member_remove": _l("移除企业成员"),
    },
)

USER_REGISTER = "accounts.user_register"
LOGIN_SUCCEED = "accounts.login_succeed"
LOGIN_FAIL = "accounts.login_fail"
LOGIN_LOCK = "accounts.login_lock"
PASSWORD_CHANGE = "accounts.password_change"
PASSWORD_RESET = "accounts.password_reset"
PASSWORD_RESET_REQUEST = "accounts.password_reset_request"
MEMBER_ADD = "accounts.member_add"
MEMBER_REMOVE = "accounts.member_remove"

# Whoever asks for a reset link, or fails to log in, is not known: the trail names them so.
ANONYMOUS = "anonymous"
