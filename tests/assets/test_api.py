"""The assets API through HTTP: registering a work and a version (stored by hash, stamped, fingerprinted),
who sees what, a stale edit, bad uploads, provenance, and the public verification of a file and a code."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shouzhan.assets.models import AssetVersion, Blob, Fingerprint, Timestamp, Work
from shouzhan.core.models import AuditEntry
from shouzhan.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def studio(make_enterprise: Any, login_client: Any) -> dict[str, Any]:
    enterprise, owner = make_enterprise(name="光启短剧")
    other, stranger = make_enterprise(name="浦江影视")
    return {
        "enterprise": enterprise,
        "client": login_client(owner),
        "other": other,
        "stranger": login_client(stranger),
    }


def _work(client: Client, enterprise_id: int, **extra: Any) -> dict[str, Any]:
    body = {"enterprise_id": enterprise_id, "kind": "episode", "title": "霓虹弄堂 第1集", **extra}
    response = client.post("/api/v1/assets/works", body, content_type="application/json")
    assert response.status_code == 201, response.content
    result: dict[str, Any] = response.json()
    return result


def _upload(client: Client, work_id: int, name: str, content: bytes, note: str = "") -> Any:
    return client.post(
        f"/api/v1/assets/works/{work_id}/versions",
        {"file": SimpleUploadedFile(name, content), "note": note},
    )


def test_a_version_is_stored_by_hash_stamped_and_fingerprinted(
    studio: dict[str, Any], make_video: Any, django_capture_on_commit_callbacks: Any
) -> None:
    work = _work(studio["client"], studio["enterprise"].pk)
    video = make_video(seed=2, seconds=12)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(studio["client"], work["id"], "ep1.mp4", video, note="首播版")
    assert response.status_code == 201, response.content
    body = response.json()
    import hashlib

    assert body["sha256"] == hashlib.sha256(video).hexdigest()
    assert (body["number"], body["format"], body["media"], body["note"]) == (1, "mp4", "video", "首播版")
    assert body["code"].startswith("SZ-") and len(body["code"]) == 15
    version = AssetVersion.objects.get(code=body["code"])
    assert (version.stamp_state, version.prints_state) == ("stamped", "done")
    assert Timestamp.objects.get(version=version).tsa_name
    kinds = sorted(set(Fingerprint.objects.filter(version=version).values_list("kind", flat=True)))
    assert kinds == ["audio", "video"]
    assert (
        Fingerprint.objects.filter(version=version, kind="video").count() == 2
    )  # 12 s in 10-second segments
    assert 11_500 <= version.blob.duration_ms <= 12_500
    actions = list(
        AuditEntry.objects.filter(action__startswith="assets.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "assets.work_create",
        "assets.version_register",
        "assets.version_stamp",
        "assets.version_fingerprint",
    ]
    # The same bytes again: refused in words, nothing new stored.
    again = _upload(studio["client"], work["id"], "copy.mp4", video)
    assert again.status_code == 422
    assert "第 1 版的内容完全相同" in str(again.json()["detail"])
    assert (Blob.objects.count(), AssetVersion.objects.count()) == (1, 1)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.mp4", b"", "是空的"),
        ("fake.mp4", "这不是视频".encode() * 20, "不是允许的格式"),
        ("clip.png", b"\x00\x00\x00\x18ftypisom" + b"\x00" * 200, "扩展名与内容不符"),
        (
            "broken.mp4",
            b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 500,
            "不是完整有效",
        ),
    ],
)
def test_bad_uploads_are_refused_in_words_and_nothing_is_stored(
    studio: dict[str, Any], name: str, content: bytes, words: str
) -> None:
    work = _work(studio["client"], studio["enterprise"].pk)
    response = _upload(studio["client"], work["id"], name, content)
    assert response.status_code == 422, response.content
    assert words in str(response.json()["detail"]["file"])
    assert (Blob.objects.count(), AssetVersion.objects.count()) == (0, 0)


def test_a_corrupt_video_and_one_over_the_limit_are_refused(
    studio: dict[str, Any], make_video: Any, settings: Any
) -> None:
    work = _work(studio["client"], studio["enterprise"].pk)
    video = make_video(seed=4, seconds=6)
    # Keep the boxes' frame (ftyp … moov tile the file) but scramble the picture data: it no longer decodes.
    middle = len(video) // 2
    scrambled = video[:64] + bytes(b ^ 0x5A for b in video[64:middle]) + video[middle:]
    response = _upload(studio["client"], work["id"], "scrambled.mp4", scrambled)
    assert response.status_code == 422
    assert "已损坏，无法解码" in str(response.json()["detail"]["file"])
    settings.ASSETS_MAX_BYTES = 1000
    response = _upload(studio["client"], work["id"], "big.mp4", video)
    assert response.status_code == 422
    assert "过大" in str(response.json()["detail"]["file"])
    assert AssetVersion.objects.count() == 0


def test_another_enterprise_sees_a_published_work_without_its_files_and_never_an_unpublished_one(
    studio: dict[str, Any], make_video: Any
) -> None:
    work = _work(studio["client"], studio["enterprise"].pk, title="海派茶馆 第2集")
    assert (
        _upload(studio["client"], work["id"], "ep2.mp4", make_video(seed=5, seconds=4), note="n").status_code
        == 201
    )
    stranger = studio["stranger"]
    assert stranger.get(f"/api/v1/assets/works/{work['id']}").status_code == 404
    assert stranger.get("/api/v1/assets/works").json()["count"] == 0
    assert (
        studio["client"]
        .post(
            f"/api/v1/assets/works/{work['id']}/publish", {"published": True}, content_type="application/json"
        )
        .status_code
        == 200
    )
    seen = stranger.get(f"/api/v1/assets/works/{work['id']}").json()
    assert (seen["title"], seen["holder"], seen["versions"][0]["filename"]) == (
        "海派茶馆 第2集",
        "光启短剧",
        "",
    )
    # ... and may not add a version to it.
    assert _upload(stranger, work["id"], "x.mp4", make_video(seed=6, seconds=3)).status_code == 403
    # Anonymous: 401.
    assert Client().get("/api/v1/assets/works").status_code == 401


def test_a_stale_edit_is_a_conflict_and_a_dci_is_checked(studio: dict[str, Any]) -> None:
    work = _work(studio["client"], studio["enterprise"].pk)
    url = f"/api/v1/assets/works/{work['id']}"
    ok = studio["client"].patch(
        url, {"expected_version": 1, "dci": "dci-0a12 b34c 56d"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["dci"] == "DCI0A12B34C56D"
    stale = studio["client"].patch(
        url, {"expected_version": 1, "title": "改名"}, content_type="application/json"
    )
    assert stale.status_code == 409
    bad = studio["client"].patch(
        url, {"expected_version": 2, "dci": "12345"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "DCI" in str(bad.json()["detail"]["dci"])
    assert Work.objects.get(pk=work["id"]).title == "霓虹弄堂 第1集"


def test_provenance_links_a_model_to_its_corpus_and_refuses_a_cycle(
    studio: dict[str, Any], make_user: Any, login_client: Any
) -> None:
    import io
    import zipfile

    def archive(text: str) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr("data.txt", text)
        return buffer.getvalue()

    corpus = _work(studio["client"], studio["enterprise"].pk, kind="corpus", title="海派方言语料")
    model = _work(studio["client"], studio["enterprise"].pk, kind="ai_model", title="海派配音模型")
    c1 = _upload(studio["client"], corpus["id"], "corpus.zip", archive("侬好")).json()
    m1 = _upload(studio["client"], model["id"], "model.zip", archive("weights")).json()
    link = {"target_code": m1["code"], "source_code": c1["code"], "relation": "trained_on"}
    assert (
        studio["client"].post("/api/v1/assets/provenance", link, content_type="application/json").status_code
        == 201
    )
    back = {"target_code": c1["code"], "source_code": m1["code"], "relation": "derived_from"}
    refused = studio["client"].post("/api/v1/assets/provenance", back, content_type="application/json")
    assert refused.status_code == 422 and "循环" in str(refused.json()["detail"])


def test_the_public_checks_a_file_and_a_code_and_learns_no_unpublished_title(
    studio: dict[str, Any], make_video: Any, django_capture_on_commit_callbacks: Any
) -> None:
    work = _work(studio["client"], studio["enterprise"].pk, title="未公开的样片")
    video = make_video(seed=7, seconds=4)
    with django_capture_on_commit_callbacks(execute=True):
        code = _upload(studio["client"], work["id"], "s.mp4", video).json()["code"]
    public = Client()
    found = public.post("/api/v1/assets/verify", {"file": SimpleUploadedFile("any-name.bin", video)}).json()
    assert (found["found"], found["code"], found["title"], found["holder"], found["token_ok"]) == (
        True,
        code,
        "",
        "",
        True,
    )
    changed = video[:-1] + bytes([video[-1] ^ 1])
    missing = public.post("/api/v1/assets/verify", {"file": SimpleUploadedFile("s.mp4", changed)}).json()
    assert (missing["found"], missing["code"]) == (False, "")
    by_code = public.get(f"/api/v1/assets/verify/{code.lower()}").json()
    assert (by_code["found"], by_code["token_ok"], by_code["version"]) == (True, True, 1)
    assert public.get("/api/v1/assets/verify/SZ-NONE-NONE-NO").status_code == 404


def test_staff_see_every_work(studio: dict[str, Any], make_user: Any, login_client: Any) -> None:
    _work(studio["client"], studio["enterprise"].pk)
    caseworker = login_client(make_user(Role.CASEWORKER))
    assert caseworker.get("/api/v1/assets/works").json()["count"] == 1
