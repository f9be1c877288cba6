"""Login names: Chinese mobile numbers and e-mail addresses."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def normalize_mobile(value: str) -> str:
    """'+86 138-0013-8000' → '13800138000'."""
    text = value.strip().translate(_FULLWIDTH_DIGITS)
    text = re.sub(r"[\s\-()]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    return text


def validate_mobile(value: str) -> None:
    if not _MOBILE.match(normalize_mobile(value)):
        raise ValidationError(_("请输入有效的 11 位手机号码（如 13800138000）。"), code="invalid_mobile")


def normalize_login(value: str) -> tuple[str, str]:
    """Classify what someone typed into the login box: ('mobile', '138…') or ('email', 'a@b.cn')."""
    text = value.strip()
    if "@" in text:
        return "email", text.lower()
    return "mobile", normalize_mobile(text)


def validate_login_email(value: str) -> None:
    validate_email(value)
