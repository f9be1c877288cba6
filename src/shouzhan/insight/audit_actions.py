"""The audit actions of insight, with the words the audit page shows (found by core.audit's autodiscovery)."""

from django.utils.translation import gettext_lazy as _l

from shouzhan.core.audit import audit_actions_declare

ACTIONS = audit_actions_declare(
    "insight",
    {
        "chain_publish": _l("发布产业链"),
        "targets_publish": _l("发布产业目标"),
        "placement_suggest": _l("推荐企业链位"),
        "placement_decide": _l("确认企业链位"),
        "relation_record": _l("登记企业关系"),
        "relation_delete": _l("删除企业关系"),
        "city_figure_enter": _l("录入全市统计数"),
        "snapshot_take": _l("生成月末快照"),
        "bulletin_generate": _l("生成月度通报"),
        "bulletin_download": _l("下载月度通报"),
    },
)

CHAIN_PUBLISH = "insight.chain_publish"
TARGETS_PUBLISH = "insight.targets_publish"
PLACEMENT_SUGGEST = "insight.placement_suggest"
PLACEMENT_DECIDE = "insight.placement_decide"
RELATION_RECORD = "insight.relation_record"
RELATION_DELETE = "insight.relation_delete"
CITY_FIGURE_ENTER = "insight.city_figure_enter"
SNAPSHOT_TAKE = "insight.snapshot_take"
BULLETIN_GENERATE = "insight.bulletin_generate"
BULLETIN_DOWNLOAD = "insight.bulletin_download"
