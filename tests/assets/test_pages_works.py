"""The registry's pages through the test client: the works list, registering and editing a work, uploading
versions (bad input refused in words, nothing stored), publishing, provenance, episodes, who sees what."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from shouzhan.assets import audit_actions as aa
from shouzhan.assets.models import AssetVersion, Blob, Provenance, Work
from shouzhan.assets.services.blobs import ASSET_FORMATS
from shouzhan.cases.files import formats_text
from shouzhan.core.models import AuditEntry
from shouzhan.core.nav import nav_entries
from shouzhan.core.roles import Role

pytestmark = pytest.mark.django_db


def png(seed: int = 1, size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, (seed * 40 % 256, 120, 200 - seed * 30 % 200))
    for x in range(0, size[0], 8):
        for y in range(0, size[1], 8):
            if (x // 8 + y // 8 + seed) % 3 == 0:
                image.putpixel((x, y), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def studio(make_enterprise: Any, make_user: Any, login_client: Any) -> dict[str, Any]:
    enterprise, owner = make_enterprise(name="光启短剧")
    other, stranger = make_enterprise(name="浦江影视")
    staff = make_user(role=Role.CASEWORKER, name="张洁")
    return {
        "enterprise": enterprise,
        "owner": owner,
        "client": login_client(owner),
        "other": other,
        "stranger": login_client(stranger),
        "staff": login_client(staff),
    }


def make_work(studio: dict[str, Any], **data: Any) -> Work:
    client: Client = studio["client"]
    body = {"kind": "episode", "title": "霓虹弄堂 第1集", "description": "", "dci": "", **data}
    response = client.post("/assets/new/", body)
    assert response.status_code == 302, response.content.decode()
    return Work.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))


def upload(client: Client, work: Work, name: str, content: bytes, capture: Any, note: str = "") -> Any:
    with capture(execute=True):  # the stamp and the fingerprints run once the upload's transaction commits
        return client.post(
            f"/assets/{work.pk}/versions/", {"file": SimpleUploadedFile(name, content), "note": note}
        )


def text(response: Any) -> str:
    return str(response.content.decode())


# ----------------------------------------------------------------------------- the list
def test_the_list_shows_my_works_with_counts_by_kind_and_the_last_stamp(
    studio: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    empty = studio["client"].get("/assets/")
    assert empty.status_code == 200
    assert "还没有登记作品。" in text(empty) and "登记第一件作品" in text(empty)

    episode = make_work(studio)
    make_work(studio, kind="script", title="霓虹弄堂 剧本")
    make_work(studio, kind="script", title="外滩往事 剧本")
    assert (
        upload(studio["client"], episode, "ep1.png", png(), django_capture_on_commit_callbacks).status_code
        == 302
    )
    other_work = Work.objects.create(enterprise=studio["other"], kind="script", title="别人的剧本")

    page = studio["client"].get("/assets/")
    body = text(page)
    assert page.status_code == 200
    assert [w.title for w in page.context["page"].object_list] == [
        "外滩往事 剧本",
        "霓虹弄堂 剧本",
        "霓虹弄堂 第1集",
    ]
    assert other_work.title not in body
    assert [(c["label"], c["n"]) for c in page.context["counts"]] == [("单集 / 成片", 1), ("剧本", 2)]
    assert page.context["total"] == 3
    row = next(w for w in page.context["page"].object_list if w.pk == episode.pk)
    assert (row.n_versions, row.last_stamp_state) == (1, "stamped")
    assert "已存证" in body and "尚未上传" in body and "未公开" in body

    scripts = studio["client"].get("/assets/", {"kind": "script"})
    assert sorted(w.title for w in scripts.context["page"].object_list) == ["外滩往事 剧本", "霓虹弄堂 剧本"]
    assert studio["client"].get("/assets/", {"kind": "nonsense"}).status_code == 400


def test_staff_see_every_enterprise_and_filter_by_one(studio: dict[str, Any]) -> None:
    make_work(studio)
    Work.objects.create(enterprise=studio["other"], kind="character", title="阿浦")
    everything = studio["staff"].get("/assets/")
    assert everything.status_code == 200
    assert sorted(w.title for w in everything.context["page"].object_list) == ["阿浦", "霓虹弄堂 第1集"]
    assert "权利人" in text(everything) and "浦江影视" in text(everything)
    one = studio["staff"].get("/assets/", {"enterprise": studio["other"].pk})
    assert [w.title for w in one.context["page"].object_list] == ["阿浦"]
    assert studio["staff"].get("/assets/", {"enterprise": "-5"}).status_code == 400


def test_the_list_is_paged(studio: dict[str, Any]) -> None:
    Work.objects.bulk_create(
        Work(enterprise=studio["enterprise"], kind="other", title=f"素材 {i:02d}") for i in range(55)
    )
    first = studio["client"].get("/assets/")
    assert len(first.context["page"].object_list) == 50
    second = studio["client"].get("/assets/", {"page": "2"})
    assert len(second.context["page"].object_list) == 5
    assert studio["client"].get("/assets/", {"page": "-1"}).status_code == 200


def test_who_may_open_the_registry(studio: dict[str, Any], make_user: Any, login_client: Any) -> None:
    assert Client().get("/assets/").status_code == 302  # to the login page
    nobody = login_client(make_user(role=Role.ENTREPRENEUR))
    refused = nobody.get("/assets/")
    assert refused.status_code == 403
    assert "数字资产库供企业成员和服务中心工作人员使用。" in text(refused)
    assert nobody.get("/assets/new/").status_code == 403


def test_the_menu_has_the_assets_group(studio: dict[str, Any], make_user: Any) -> None:
    keys = [key for key, _label, _url in nav_entries(studio["owner"])]
    assert "assets_works" in keys and "assets_verify" in keys
    labels = {key: label for key, label, _url in nav_entries(studio["owner"])}
    assert (labels["assets_works"], labels["assets_verify"]) == ("我的作品", "存证核验")
    assert [k for k, _l, _u in nav_entries(make_user(role=Role.ENTREPRENEUR)) if k.startswith("assets")] == []


# ----------------------------------------------------------------------------- register and edit
def test_register_a_work_with_errors_shown_inline(studio: dict[str, Any]) -> None:
    client = studio["client"]
    assert client.get("/assets/new/").status_code == 200
    missing = client.post("/assets/new/", {"kind": "script", "title": ""})
    assert missing.status_code == 400
    assert "请填写作品名称。" in text(missing)
    bad_dci = client.post("/assets/new/", {"kind": "script", "title": "剧本", "dci": "12345"})
    assert bad_dci.status_code == 400
    assert "DCI 标识应为“DCI”加 10 到 30 位数字或大写字母，如 DCI0A12B34C56D。" in text(bad_dci)
    assert Work.objects.count() == 0

    work = make_work(studio, kind="script", title="霓虹弄堂 剧本", dci="dci-0000 1234 56")
    assert (work.enterprise, work.kind, work.title, work.dci) == (
        studio["enterprise"],
        "script",
        "霓虹弄堂 剧本",
        "DCI0000123456",
    )
    assert AuditEntry.objects.filter(action=aa.WORK_CREATE, target_id=str(work.pk)).count() == 1
    taken = client.post("/assets/new/", {"kind": "script", "title": "另一个", "dci": "DCI0000123456"})
    assert taken.status_code == 400 and "该 DCI 标识已登记在另一部作品上。" in text(taken)


def test_an_episode_belongs_to_a_series_and_shows_on_its_page(studio: dict[str, Any]) -> None:
    series = make_work(studio, kind="series", title="霓虹弄堂")
    form = studio["client"].get("/assets/new/", {"kind": "episode", "parent": series.pk})
    assert form.context["form"].initial == {"kind": "episode", "parent": series.pk}
    episode = make_work(studio, kind="episode", title="霓虹弄堂 第2集", parent=series.pk, episode_no="2")
    assert (episode.parent, episode.episode_no) == (series, 2)
    page = studio["client"].get(f"/assets/{series.pk}/")
    assert [(p.title, p.episode_no) for p in page.context["parts"]] == [("霓虹弄堂 第2集", 2)]
    assert "登记一集" in text(page)
    foreign = Work.objects.create(enterprise=studio["other"], kind="series", title="别家剧集", published=True)
    refused = studio["client"].post(
        "/assets/new/", {"kind": "episode", "title": "第3集", "parent": foreign.pk, "episode_no": "3"}
    )
    assert refused.status_code == 400 and "请从列表中选择。" in text(refused)


def test_a_stale_edit_is_a_conflict_and_keeps_what_was_typed(studio: dict[str, Any]) -> None:
    work = make_work(studio, kind="script", title="初稿")
    client = studio["client"]
    edit = client.get(f"/assets/{work.pk}/edit/")
    assert edit.status_code == 200 and edit.context["form"].initial["version"] == 1
    saved = client.post(f"/assets/{work.pk}/edit/", {"kind": "script", "title": "二稿", "version": "1"})
    assert saved.status_code == 302
    stale = client.post(f"/assets/{work.pk}/edit/", {"kind": "script", "title": "三稿", "version": "1"})
    assert stale.status_code == 409
    assert "作品信息已被他人修改，请刷新后再改。" in text(stale)
    assert stale.context["form"].data["title"] == "三稿" and stale.context["form"].data["version"] == "2"
    work.refresh_from_db()
    assert (work.title, work.version) == ("二稿", 2)
    assert studio["stranger"].get(f"/assets/{work.pk}/edit/").status_code == 404


# ----------------------------------------------------------------------------- versions
def test_an_upload_is_a_stamped_version_on_the_work_page(
    studio: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    work = make_work(studio)
    content = png(3)
    response = upload(studio["client"], work, "海报.png", content, django_capture_on_commit_callbacks, "定稿")
    assert response.status_code == 302 and response["Location"] == f"/assets/{work.pk}/#versions"
    version = AssetVersion.objects.select_related("blob").get(work=work)
    assert (version.number, version.filename, version.note, version.stamp_state, version.prints_state) == (
        1,
        "海报.png",
        "定稿",
        "stamped",
        "done",
    )
    page = studio["client"].get(f"/assets/{work.pk}/")
    body = text(page)
    sha = version.blob.sha256
    assert f"{sha[:12]}…{sha[58:]}" in body and f'data-copy="{sha}"' in body
    assert version.code in body and "已提取指纹" in body and "首站 Shouzhan TSA" in body
    assert f"/assets/v/{version.code}/certificate.pdf" in body and f"/assets/v/{version.code}/file/" in body
    again = upload(studio["client"], work, "海报-副本.png", content, django_capture_on_commit_callbacks)
    assert again.status_code == 400
    assert "该文件与本作品第 1 版的内容完全相同，无需重复登记。" in text(again)
    download = studio["client"].get(f"/assets/v/{version.code}/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == content


def _nothing_stored(tmp_media: Path) -> None:
    assert AssetVersion.objects.count() == 0 and Blob.objects.count() == 0
    assert not any(p.is_file() for p in tmp_media.rglob("*")) if tmp_media.exists() else True


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.png", b"", "文件“empty.png”是空的，请重新选择。"),
        (
            "clip.mp4",
            "这不是视频，只是一段文字。\n".encode() * 20,
            f"文件“clip.mp4”的内容不是允许的格式（允许：{formats_text(ASSET_FORMATS)}）。",
        ),
    ],
)
def test_bad_uploads_are_refused_in_words_and_nothing_is_stored(
    studio: dict[str, Any],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    name: str,
    content: bytes,
    message: str,
) -> None:
    work = make_work(studio)
    response = upload(studio["client"], work, name, content, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert message in text(response)
    _nothing_stored(Path(settings.MEDIA_ROOT))


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(
    studio: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.ASSETS_MAX_BYTES = 1024 * 1024
    work = make_work(studio)
    big = png(1) + b"\0" * (1024 * 1024)
    response = upload(studio["client"], work, "big.png", big, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "文件“big.png”过大（上限 1 MB）。" in text(response)
    _nothing_stored(Path(settings.MEDIA_ROOT))


def test_a_corrupt_video_is_refused_in_words(
    studio: dict[str, Any], settings: Any, make_video: Any, django_capture_on_commit_callbacks: Any
) -> None:
    video = bytearray(make_video(seed=4, seconds=4))
    # Keep the container's boxes, scramble the picture data in the middle of the file.
    middle = len(video) // 2
    video[middle - 4000 : middle + 4000] = bytes(
        (b * 7 + 13) % 256 for b in video[middle - 4000 : middle + 4000]
    )
    work = make_work(studio)
    response = upload(studio["client"], work, "broken.mp4", bytes(video), django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "文件“broken.mp4”" in text(response)
    errors = response.context["version_form"].errors["file"]
    assert errors == ["文件“broken.mp4”已损坏，无法解码，请重新导出后上传。"]
    _nothing_stored(Path(settings.MEDIA_ROOT))


# ----------------------------------------------------------------------------- who sees what
def test_another_enterprise_sees_a_published_work_without_its_files(
    studio: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    work = make_work(studio)
    upload(studio["client"], work, "ep1.png", png(5), django_capture_on_commit_callbacks)
    version = AssetVersion.objects.get(work=work)
    stranger: Client = studio["stranger"]
    assert stranger.get(f"/assets/{work.pk}/").status_code == 404
    assert stranger.get(f"/assets/v/{version.code}/file/").status_code == 404

    published = studio["client"].post(f"/assets/{work.pk}/publish/", {"published": "1"})
    assert published.status_code == 302
    page = stranger.get(f"/assets/{work.pk}/")
    assert page.status_code == 200
    body = text(page)
    assert "霓虹弄堂 第1集" in body and version.code in body
    assert "/file/" not in body and "certificate.pdf" not in body and 'id="upload"' not in body
    assert "作品文件只有权利人和服务中心可以下载" in body
    assert stranger.get(f"/assets/v/{version.code}/file/").status_code == 403
    assert stranger.post(f"/assets/{work.pk}/publish/", {"published": "0"}).status_code == 403
    assert stranger.post(f"/assets/{work.pk}/versions/", {}).status_code == 403

    staff = studio["staff"].get(f"/assets/{work.pk}/")
    assert staff.status_code == 200 and f"/assets/v/{version.code}/file/" in text(staff)
    assert Client().get(f"/assets/{work.pk}/").status_code == 302


def test_publishing_needs_a_version_first(studio: dict[str, Any]) -> None:
    work = make_work(studio)
    refused = studio["client"].post(f"/assets/{work.pk}/publish/", {"published": "1"})
    assert refused.status_code == 400
    assert "请先登记至少一个版本，再公开作品。" in text(refused)
    assert studio["client"].post(f"/assets/{work.pk}/publish/", {"published": "x"}).status_code == 400
    work.refresh_from_db()
    assert work.published is False


def test_provenance_from_an_own_version_and_from_a_published_one_by_code(
    studio: dict[str, Any], make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = studio["client"]
    corpus = make_work(studio, kind="corpus", title="弄堂方言语料")
    model = make_work(studio, kind="ai_model", title="方言配音模型")
    upload(client, corpus, "corpus.zip", _zip(), django_capture_on_commit_callbacks)
    upload(client, model, "model.png", png(7), django_capture_on_commit_callbacks)
    source = AssetVersion.objects.get(work=corpus)
    target = AssetVersion.objects.get(work=model)

    none = client.post(f"/assets/{model.pk}/provenance/", {"target": target.pk, "relation": "trained_on"})
    assert none.status_code == 400 and "请选择来源版本，或填写来源版本的存证编号。" in text(none)
    done = client.post(
        f"/assets/{model.pk}/provenance/",
        {"target": target.pk, "relation": "trained_on", "source": source.pk, "note": "全部语料"},
    )
    assert done.status_code == 302
    link = Provenance.objects.get()
    assert (link.target, link.source, link.relation, link.note) == (target, source, "trained_on", "全部语料")
    model_page = text(client.get(f"/assets/{model.pk}/"))
    assert "第 1 版 训练自" in model_page and "弄堂方言语料" in model_page
    corpus_page = client.get(f"/assets/{corpus.pk}/")
    assert [d["other"].work.title for d in corpus_page.context["derived"]] == ["方言配音模型"]
    cycle = client.post(
        f"/assets/{corpus.pk}/provenance/",
        {"target": source.pk, "relation": "derived_from", "source": target.pk},
    )
    assert cycle.status_code == 400
    assert "这条来源关系会形成循环：所选版本本身来源于当前版本。" in text(cycle)
    assert Provenance.objects.count() == 1

    foreign = Work.objects.create(enterprise=studio["other"], kind="corpus", title="外滩语料")
    foreign_version = AssetVersion.objects.create(
        work=foreign, number=1, blob=source.blob, filename="c.zip", code="SZ-AAAA-BBBB-CC"
    )
    hidden = client.post(
        f"/assets/{model.pk}/provenance/",
        {"target": target.pk, "relation": "trained_on", "source_code": "sz-aaaa-bbbb-cc"},
    )
    assert hidden.status_code == 400 and "没有找到该存证编号的版本，或该作品尚未公开。" in text(hidden)
    Work.objects.filter(pk=foreign.pk).update(published=True)
    by_code = client.post(
        f"/assets/{model.pk}/provenance/",
        {"target": target.pk, "relation": "trained_on", "source_code": "sz-aaaa-bbbb-cc"},
    )
    assert by_code.status_code == 302
    assert Provenance.objects.filter(source=foreign_version).count() == 1
    Work.objects.filter(pk=foreign.pk).update(published=False)
    sources = client.get(f"/assets/{model.pk}/").context["sources"]
    # Unpublished again: the link stays, the other enterprise's work is not named.
    assert sorted((s["other"].work.title if s["other"] else None) or "—" for s in sources) == [
        "—",
        "弄堂方言语料",
    ]


def _zip() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("corpus/a.txt", "阿拉上海人\n" * 50)
    return out.getvalue()


def test_the_work_page_reads_in_a_fixed_number_of_queries(
    studio: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    work = make_work(studio)
    client = studio["client"]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/assets/{work.pk}/").status_code == 200
        return len(queries)

    upload(client, work, "a.png", png(1), django_capture_on_commit_callbacks)
    one = count()
    upload(client, work, "b.png", png(2), django_capture_on_commit_callbacks)
    upload(client, work, "c.png", png(3), django_capture_on_commit_callbacks)
    assert count() == one
