"""The person a talent case is for is its applicant too, when an enterprise opened it for them
(cases.permissions.relation_provider_register): they follow it, answer requests for more and may withdraw."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, Subquery
from django.db.models.functions import Cast

from shouzhan.cases import workflow as wf
from shouzhan.talent.workflow import KEYS


def person_relation(user: Any, case: Any) -> set[str]:
    if case.case_type not in KEYS or not case.related_id:
        return set()
    from shouzhan.registry.models import TalentRecord

    owner = (
        TalentRecord.objects.filter(pk=case.related_id).values_list("person__user_id", flat=True).first()
        if case.related_type_id is not None
        else None
    )
    return {wf.APPLICANT} if owner is not None and owner == user.pk else set()


def person_cases(user: Any) -> Q:
    """The talent cases opened for the user's own record (cases.permissions.visibility_provider_register): a
    subquery inside the lists' own query, so it costs no query of its own."""
    from shouzhan.registry.models import TalentRecord

    if not getattr(user, "pk", None):
        return Q(pk__in=[])
    records = (
        TalentRecord.objects.filter(person__user_id=user.pk)
        .annotate(key=Cast("pk", output_field=CharField()))
        .values("key")
    )
    return Q(
        case_type__in=KEYS,
        related_type=ContentType.objects.get_for_model(TalentRecord),
        related_id__in=Subquery(records),
    )
