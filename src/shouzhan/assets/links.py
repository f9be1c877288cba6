"""What a rights-protection or licence case's page links to (cases.links): the report with its matches and
evidence packs, or the licence — for whoever may read them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shouzhan.assets import permissions as perms
from shouzhan.assets.models import InfringementReport, Licence
from shouzhan.assets.workflow import LICENCE_KEY, RIGHTS_KEY
from shouzhan.cases.links import case_links_declare


def report_links(case: Any, actor: Any) -> list[tuple[str, str]]:
    report = InfringementReport.objects.filter(case_id=case.pk).first()
    if (
        report is None
        or not perms.scope_reports(actor, InfringementReport.objects.filter(pk=report.pk)).exists()
    ):
        return []
    links = [(_("侵权线索与比对结果"), reverse("assets:report_detail", args=[report.pk]))]
    pack = report.packs.order_by("-number").first()
    if pack is not None:
        url = reverse("assets:report_pack_download", args=[report.pk, pack.number, "pdf"])
        links.append((_("证据包（PDF）"), url))
    return links


def licence_links(case: Any, actor: Any) -> list[tuple[str, str]]:
    licence = Licence.objects.filter(case_id=case.pk).first()
    if licence is None or not perms.scope_licences(actor, Licence.objects.filter(pk=licence.pk)).exists():
        return []
    return [(_("授权许可详情"), reverse("assets:licence", args=[licence.pk]))]


def register() -> None:
    case_links_declare(RIGHTS_KEY, report_links)
    case_links_declare(LICENCE_KEY, licence_links)
