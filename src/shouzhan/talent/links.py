"""What a talent support case's page links to (cases.links): the person's talent record, for whoever may read it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shouzhan.cases.links import case_links_declare
from shouzhan.talent.workflow import KEYS


def record_links(case: Any, actor: Any) -> list[tuple[str, str]]:
    from shouzhan.registry.models import TalentRecord
    from shouzhan.registry.talent.permissions import record_access

    record = TalentRecord.objects.select_related("person").filter(pk=case.related_id or 0).first()
    if record is None or record_access(actor, record) is None:
        return []
    return [
        (_("%(name)s的人才档案") % {"name": record.person.name}, reverse("talent:record", args=[record.pk]))
    ]


def register() -> None:
    for key in KEYS:
        case_links_declare(key, record_links)
