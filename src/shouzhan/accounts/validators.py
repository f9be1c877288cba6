"""Login names: Chinese mobile numbers and e-mail addresses."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def _ascii_digits(text: str) -> str:
    # Any script's decimal digits (full-width, Arabic-Indic …) are the same number: one spelling.
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def normalize_mobile(value: str) -> str:
    """'+86 138-0013-8000', '１３８ ００１３ ８０００' → '13800138000'. Authentication and the login
    throttle both key on this, so every spelling of one number is one account."""
    text = _ascii_digits(unicodedata.normalize("NFKC", value)).strip()
    text = re.sub(r"[\s\-().]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    return text


def validate_mobile(value: str) -> None:
    if not _MOBILE.fullmatch(normalize_mobile(value)):
        raise ValidationError(_("请输入有效的 11 位手机号码（如 13800138000）。"), code="invalid_mobile")


def normalize_login(value: str) -> tuple[str, str]:
    """Classify what someone typed into the login box: ('mobile', '138…') or ('email', 'a@b.cn')."""
    text = value.strip()
    if "@" in text:
        return "email", text.lower()
    return "mobile", normalize_mobile(text)


def validate_login_email(value: str) -> None:
    validate_email(value)
