"""The policy catalogue's audit actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _l

from shouzhan.core.audit import audit_actions_declare

audit_actions_declare(
    "policies",
    {
        "version_upload": _l("上传政策规则草稿"),
        "version_publish": _l("发布政策版本"),
        "version_withdraw": _l("撤回政策草稿"),
    },
)

VERSION_UPLOAD = "policies.version_upload"
VERSION_PUBLISH = "policies.version_publish"
VERSION_WITHDRAW = "policies.version_withdraw"
