"""Every input is bounded: one set of named limits, used by every form and every API schema.

- Text: `SHORT_TEXT` for a name, a title or a one-line answer; `TEXT` for a note, a message or a
  reason; `LONG_TEXT` for an abstract, a description or a synopsis; `RULE_TEXT` for a pasted rule
  file. A search box reads at most `QUERY_TEXT`.
- Forms: `BoundedForm` (`BoundedFormMixin` on one of Django's forms) gives every CharField without an
  explicit `max_length` the default bound — `LONG_TEXT` for a textarea, `PASSWORD_TEXT` for a password,
  `TEXT` otherwise — so a field added later cannot be unbounded by accident.
- API: `ShortText`, `Text`, `LongText`, `QueryText`, `Key`, `MoneyText` are `str` with a maximum length;
  `JsonDict` is a JSON object bounded in depth, keys and total size (a case's `data`);
  `PageLimit` is the `limit` of a list endpoint, at most `PAGE_MAX`.
- Lists: an endpoint returns at most `PAGE_MAX` rows a page; a list item carries an
  `excerpt(text)` of a long text, the detail endpoint the whole text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _l
from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

SHORT_TEXT = 200
TEXT = 2000
LONG_TEXT = 5000
LIST_TEXT = 20_000  # a list pasted one row a line (the batch grant); a longer one goes in a spreadsheet
RULE_TEXT = 512 * 1024  # a policy's rule file pasted as text (an uploaded one is limited to 512 KB too)
QUERY_TEXT = 200
KEY_TEXT = 64  # a code from a fixed list: a state, a kind, an action, a district
MONEY_TEXT = 32  # an amount typed in yuan, e.g. "1,234,567.89"
PASSWORD_TEXT = 128  # as the login form accepts: a longer one could be set but never typed in again

PAGE_MAX = 200
PAGE_DEFAULT = 50
EXCERPT = 200

JSON_MAX_DEPTH = 4
JSON_MAX_KEYS = 100  # keys and list items, counted through every level
JSON_MAX_CHARS = 50_000  # the object written as compact JSON

ShortText = Annotated[str, StringConstraints(max_length=SHORT_TEXT)]
Text = Annotated[str, StringConstraints(max_length=TEXT)]
LongText = Annotated[str, StringConstraints(max_length=LONG_TEXT)]
RuleText = Annotated[str, StringConstraints(max_length=RULE_TEXT)]
QueryText = Annotated[str, StringConstraints(max_length=QUERY_TEXT)]
Key = Annotated[str, StringConstraints(max_length=KEY_TEXT)]
MoneyText = Annotated[str, StringConstraints(max_length=MONEY_TEXT)]  # yuan as text, e.g. "1234.50"
PageLimit = Annotated[int, Field(ge=1, le=PAGE_MAX, description=f"Rows per page, at most {PAGE_MAX}")]
PageOffset = Annotated[int, Field(ge=0, le=10_000_000)]


class JsonTooLarge(ValueError):
    """A JSON value beyond the bounds; the message names the bound in English and Chinese."""


def json_bounds_check(value: Any) -> None:
    """Refuse a JSON value nested deeper than JSON_MAX_DEPTH, with more than JSON_MAX_KEYS keys and
    items in all, a string longer than LONG_TEXT, or more than JSON_MAX_CHARS written out."""
    count = 0

    def walk(node: Any, depth: int) -> None:
        nonlocal count
        if isinstance(node, dict | list):
            if depth >= JSON_MAX_DEPTH:
                raise JsonTooLarge(
                    f"nested deeper than {JSON_MAX_DEPTH} levels / 嵌套层数过多（最多 {JSON_MAX_DEPTH} 层）"
                )
            count += len(node)
            if count > JSON_MAX_KEYS:
                raise JsonTooLarge(f"more than {JSON_MAX_KEYS} items / 内容项过多（最多 {JSON_MAX_KEYS} 项）")
            children: Iterable[Any] = node.values() if isinstance(node, dict) else node
            if isinstance(node, dict):
                for key in node:
                    walk(key, depth + 1)
            for child in children:
                walk(child, depth + 1)
        elif isinstance(node, str) and len(node) > LONG_TEXT:
            raise JsonTooLarge(
                f"a text longer than {LONG_TEXT} characters / 内容过长（每项最多 {LONG_TEXT} 字）"
            )

    walk(value, 0)
    size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str))
    if size > JSON_MAX_CHARS:
        raise JsonTooLarge(
            f"more than {JSON_MAX_CHARS} characters in all / 内容过长（合计最多 {JSON_MAX_CHARS} 字）"
        )


def _bounded_json(value: Any) -> Any:
    try:
        json_bounds_check(value)
    except JsonTooLarge as exc:
        # A custom error type: the message reaches the caller as it is (no "Value error, " prefix).
        raise PydanticCustomError("json_too_large", str(exc)) from None
    return value


# Add to an Annotated JSON type to bound it as a whole (depth, keys, size).
JSON_BOUND = AfterValidator(_bounded_json)
# A JSON object from a client (a case's `data`): bounded in depth, keys and size.
JsonDict = Annotated[dict[str, Any], Field(max_length=JSON_MAX_KEYS), JSON_BOUND]


def excerpt(text: str, n: int = EXCERPT) -> str:
    """The start of a long text for a list (whitespace folded), with … when cut."""
    folded = " ".join(text.split())
    return folded if len(folded) <= n else folded[: n - 1] + "…"


# One wording for every length refusal, on a page and from a service.
MAX_LENGTH_MESSAGE = _l("最多 %(limit_value)d 个字（现有 %(show_value)d 个字）。")


@deconstructible
class TextLimit(MaxLengthValidator):
    """Django's length check with the shared wording; also for a model's TextField (where Django checks
    no max_length): `models.TextField(max_length=LONG_TEXT, validators=[TextLimit(LONG_TEXT)])`."""

    message = MAX_LENGTH_MESSAGE


def check_length(*, field: str, text: str, limit: int) -> None:
    """For a service that stores text without full_clean: refuse more than `limit` characters."""
    if len(text) > limit:
        raise ValidationError({field: [MAX_LENGTH_MESSAGE % {"limit_value": limit, "show_value": len(text)}]})


def required_text(value: object, *, field: str, limit: int, missing: str) -> str:
    """A service's required text (a reason, an answer): stripped, refused with `missing` when empty and beyond
    `limit` characters as check_length does."""
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: [missing]})
    check_length(field=field, text=text, limit=limit)
    return text


# ------------------------------------------------------------------------------------------ forms
def bound_field(field: forms.Field) -> None:
    """Give a CharField without max_length the default bound (LONG_TEXT for a textarea, PASSWORD_TEXT for
    a password, else TEXT), and every CharField's length check the shared wording."""
    if not isinstance(field, forms.CharField):
        return
    if field.max_length is None:
        if isinstance(field.widget, forms.PasswordInput):
            field.max_length = PASSWORD_TEXT
        else:
            field.max_length = LONG_TEXT if isinstance(field.widget, forms.Textarea) else TEXT
        if not field.widget.is_hidden:
            field.widget.attrs.setdefault("maxlength", str(field.max_length))
    others = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
    field.validators = [*others, TextLimit(int(field.max_length))]


def bound_form_fields(form: forms.BaseForm) -> forms.BaseForm:
    """Bound every CharField of a form instance (also the fields its __init__ added)."""
    for field in form.fields.values():
        bound_field(field)
    return form


class BoundedFormMixin:
    """Every CharField of the form has a maximum length, whatever the subclass declares or adds; put it
    first among the bases of a form built on one of Django's (login, password change …).

    Declared fields are bounded when the class is made; fields an __init__ adds are bounded when the
    outermost __init__ returns."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for field in cls.__dict__.get("declared_fields", {}).values():
            bound_field(field)
        own_init = cls.__dict__.get("__init__")
        if own_init is not None and not getattr(own_init, "_bounds_fields", False):

            def __init__(self: forms.BaseForm, *args: Any, **kw: Any) -> None:
                own_init(self, *args, **kw)
                bound_form_fields(self)

            __init__._bounds_fields = True  # type: ignore[attr-defined]
            __init__.__doc__ = own_init.__doc__
            cls.__init__ = __init__  # type: ignore[method-assign,assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_form_fields(self)  # type: ignore[arg-type]


class BoundedForm(BoundedFormMixin, forms.Form):
    """The project's base form: see BoundedFormMixin."""
