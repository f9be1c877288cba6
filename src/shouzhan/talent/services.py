"""Opening a support case for a person: by the person, or by an enterprise for its member.

The case is related to the person's talent record (its outcome goes there, talent/effects.py). A person applying
for themselves opens it under no enterprise, so their employer does not read their housing or schooling; an
enterprise applying for its member opens it under itself, and the person is its applicant too
(talent/relations.py).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shouzhan.cases import workflow as wf
from shouzhan.cases.models import Case
from shouzhan.core.actors import Actor
from shouzhan.core.permissions import require_login
from shouzhan.registry.models import Person
from shouzhan.registry.talent.services import talent_record_ensure
from shouzhan.talent import permissions as P
from shouzhan.talent.workflow import KEYS

Upload = tuple[str, str, bytes]  # (document name, file name, content)


@transaction.atomic
def support_apply(
    *,
    actor: Actor,
    person: Person,
    case_type: str,
    data: dict[str, Any],
    documents: list[Upload] | None = None,
) -> Case:
    """Open a talent support case for `person` with its fields and any documents, all or nothing."""
    from shouzhan.cases.services import case_submit, document_upload

    require_login(actor)
    P.require_apply_for(actor, person)
    if case_type not in KEYS:
        raise ValidationError({"case_type": [_("没有这项人才服务。")]})
    ct = wf.case_type_get(case_type)
    record = talent_record_ensure(actor=actor, person=person)
    for_self = P.is_keeper(actor, person) and (person.user_id is not None)
    case = case_submit(
        actor=actor,
        case_type=case_type,
        enterprise=None if for_self else person.enterprise,
        title=_("%(service)s · %(name)s") % {"service": ct.label, "name": person.name},
        data=data,
        related=record,
    )
    for name, filename, content in documents or []:
        document_upload(actor=actor, case=case, name=name, filename=filename, content=content)
    return case
