"""The audit actions of assets, with the words the audit page shows (found by core.audit's autodiscovery)."""

from django.utils.translation import gettext_lazy as _l

from shouzhan.core.audit import audit_actions_declare, audit_words_declare

ACTIONS = audit_actions_declare(
    "assets",
    {
        "work_create": _l("登记作品"),
        "work_update": _l("修改作品信息"),
        "work_publish": _l("公开作品"),
        "work_unpublish": _l("取消公开作品"),
        "version_register": _l("登记作品版本"),
        "version_stamp": _l("加盖可信时间戳"),
        "version_fingerprint": _l("提取作品指纹"),
        "provenance_record": _l("登记来源关系"),
        "certificate_download": _l("下载存证证书"),
        "licence_offer": _l("发布授权许可"),
        "licence_request": _l("申请授权许可"),
        "licence_outcome": _l("记录授权结果"),
        "licence_end": _l("终止授权许可"),
        "report_create": _l("提交侵权线索"),
        "report_case_open": _l("发起版权维权"),
        "report_outcome": _l("记录维权结果"),
        "pack_generate": _l("生成证据包"),
        "pack_download": _l("下载证据包"),
        "library_apply": _l("以资产库申报补贴"),
    },
)

WORK_CREATE = "assets.work_create"
WORK_UPDATE = "assets.work_update"
WORK_PUBLISH = "assets.work_publish"
WORK_UNPUBLISH = "assets.work_unpublish"
VERSION_REGISTER = "assets.version_register"
VERSION_STAMP = "assets.version_stamp"
VERSION_FINGERPRINT = "assets.version_fingerprint"
PROVENANCE_RECORD = "assets.provenance_record"
CERTIFICATE_DOWNLOAD = "assets.certificate_download"
LICENCE_OFFER = "assets.licence_offer"
LICENCE_REQUEST = "assets.licence_request"
LICENCE_OUTCOME = "assets.licence_outcome"
LICENCE_END = "assets.licence_end"
REPORT_CREATE = "assets.report_create"
REPORT_CASE_OPEN = "assets.report_case_open"
REPORT_OUTCOME = "assets.report_outcome"
PACK_GENERATE = "assets.pack_generate"
PACK_DOWNLOAD = "assets.pack_download"
LIBRARY_APPLY = "assets.library_apply"

audit_words_declare(
    "assets.assetversion",
    keys={
        "sha256": _l("SHA-256"),
        "tsa": _l("时间戳机构"),
        "gen_time": _l("时间戳时间"),
        "serial": _l("时间戳序列号"),
        "segments": _l("指纹片段数"),
        "error": _l("原因"),
    },
    values={},
)
