"""Answering a request for more information: changed fields, new documents, then resubmit — all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case
from shouzhan.cases.permissions import require_case_read, require_fields_editable, require_transition
from shouzhan.cases.services.checks import data_clean
from shouzhan.cases.services.common import case_conflict
from shouzhan.cases.services.documents import document_check, document_upload
from shouzhan.cases.services.transition import case_transition
from shouzhan.core.actors import Actor


@transaction.atomic
def case_resubmit(
    *,
    actor: Actor,
    case: Case,
    expected_version: int,
    data: dict[str, Any] | None = None,
    note: str = "",
    documents: Sequence[tuple[str, str, bytes]] = (),
    action: str = "resubmit",
    on: dt.date | None = None,
) -> Case:
    """Answer a request for more information: changed fields, new documents, then resubmit — all or nothing.

    The fields are checked exactly as at submission; each document as any upload. The history records
    every changed field with its value before and after; the staff page highlights them.
    """
    ct = wf.case_type_get(case.case_type)
    try:
        t = ct.transition(action)
    except KeyError:
        raise ValidationError({"action": [_("这个办件不能补正后重新提交。")]}) from None
    if not t.edits_data:
        raise ValidationError({"action": [_("“%(action)s”不能修改申请内容。") % {"action": t.label}]})
    # Check everything that can be checked before a file is stored.
    require_case_read(actor, case)
    if case.version != expected_version:
        raise case_conflict(case)
    require_transition(actor, case, t)
    if data:
        require_fields_editable(ct, actor, data)
        data_clean(ct, {**case.data, **data})
    for _name, filename, content in documents:
        document_check(case_type=case.case_type, filename=filename, content=content)
    for name, filename, content in documents:
        document_upload(actor=actor, case=case, name=name, filename=filename, content=content)
    return case_transition(
        actor=actor, case=case, action=action, expected_version=expected_version, note=note, data=data, on=on
    )
