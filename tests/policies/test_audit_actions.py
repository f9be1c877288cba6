"""Every public service of the policy catalogue writes exactly its declared audit entries, in order."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from shouzhan.core.audit import audit_action_get
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role
from shouzhan.policies import audit_actions as A
from shouzhan.policies import services

HU8 = (Path(settings.CATALOGUE_DIR) / "hu8.yaml").read_text(encoding="utf-8")
CHANGED = HU8.replace("# ", "#  ", 1) if "# " in HU8 else HU8 + "\n# changed\n"


def _upload(w: dict[str, Any]) -> Any:
    return services.policy_version_upload(actor=w["officer"], text=CHANGED, filename="hu8.yaml")


def _publish(w: dict[str, Any]) -> None:
    services.policy_version_publish(
        actor=w["officer"], version=_upload(w), effective_from=dt.date(2099, 1, 1)
    )


def _withdraw(w: dict[str, Any]) -> None:
    services.policy_version_withdraw(actor=w["officer"], version=_upload(w), reason="不再发布")


def _sync(w: dict[str, Any]) -> None:
    folder = w["tmp"] / "catalogue"
    shutil.copytree(settings.CATALOGUE_DIR, folder)
    (folder / "hu8.yaml").write_text(CHANGED, encoding="utf-8")
    services.catalogue_sync(actor="system:test", directory=folder)


CASES: dict[str, tuple[Callable[[dict[str, Any]], Any], list[str]]] = {
    "policy_version_upload": (_upload, [A.VERSION_UPLOAD]),
    "policy_version_publish": (_publish, [A.VERSION_UPLOAD, A.VERSION_PUBLISH]),
    "policy_version_withdraw": (_withdraw, [A.VERSION_UPLOAD, A.VERSION_WITHDRAW]),
    "catalogue_sync (a changed file)": (_sync, [A.VERSION_UPLOAD]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_service_writes_exactly_its_declared_entries(
    name: str, catalogue: Any, make_user: Any, tmp_path: Path
) -> None:
    world = {"officer": make_user(role=Role.POLICY_OFFICER), "tmp": tmp_path}
    call, expected = CASES[name]
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    call(world)
    written = list(AuditEntry.objects.filter(id__gt=start).order_by("id").values_list("action", flat=True))
    assert written == expected
    assert all(audit_action_get(code) is not None for code in written)


def test_loading_a_new_catalogue_publishes_each_document(catalogue: Any) -> None:
    # The `catalogue` fixture is catalogue_sync on an empty database: one publish per document.
    written = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert written == [A.VERSION_PUBLISH] * len(catalogue.published)
