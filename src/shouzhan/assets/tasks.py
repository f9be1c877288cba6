"""Background work of assets, run by django-tasks' database worker: finishing a version (its time-stamp and
its fingerprints) when the request that registered it did not — a long video, or an authority that was
down."""

from __future__ import annotations

from django_tasks import task


@task()
def version_finish(*, version_id: int) -> dict[str, str]:
    from shouzhan.assets.models import AssetVersion
    from shouzhan.assets.services.versions import version_fingerprint, version_stamp

    version = AssetVersion.objects.select_related("blob", "work").get(pk=version_id)
    if version.stamp_state != AssetVersion.Stamp.STAMPED:
        version = version_stamp(version=version)
    version = version_fingerprint(version=version)
    return {"stamp": version.stamp_state, "prints": version.prints_state}
