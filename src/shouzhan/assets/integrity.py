"""The registry's invariant, for a restore (and anyone) to check: every stored file still hashes to its name,
and every time-stamped version has its token. A file changed on disk would make its certificates lie."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.assets.models import AssetVersion, Blob
from shouzhan.assets.services.blobs import blob_exists, blob_intact

LABEL = _l("数字资产存证自检")


def check() -> list[str]:
    missing, changed = [], []
    for blob in Blob.objects.order_by("sha256").iterator(chunk_size=500):
        if not blob_exists(blob):
            missing.append(blob.sha256[:12])
        elif not blob_intact(blob):
            changed.append(blob.sha256[:12])
    problems = []
    if missing:
        problems.append(
            _("缺少文件 %(n)s 个（哈希 %(list)s）。") % {"n": len(missing), "list": ", ".join(missing[:10])}
        )
    if changed:
        problems.append(
            _("文件内容与登记的哈希不一致 %(n)s 个（哈希 %(list)s）。")
            % {"n": len(changed), "list": ", ".join(changed[:10])}
        )
    tokenless = AssetVersion.objects.filter(
        stamp_state=AssetVersion.Stamp.STAMPED, timestamp__isnull=True
    ).count()
    if tokenless:
        problems.append(_("标为已存证却没有时间戳的版本 %(n)s 个。") % {"n": tokenless})
    return problems
