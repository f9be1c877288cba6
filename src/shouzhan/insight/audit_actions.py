"""The audit actions of insight, with the words the audit page shows (found by core.audit's autodiscovery)."""

import functools

from django.utils.translation import gettext_lazy as _l

from shouzhan.core.audit import audit_actions_declare, audit_words_declare

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


# ----------------------------------------------------------------------------- words for what the services write
@functools.lru_cache(maxsize=1)
def chain_titles() -> tuple[dict[str, str], dict[str, str]]:
    """Chains' and nodes' titles by key, from the latest versions (two queries, kept until a chain is
    published again in this process: `chain_titles.cache_clear()`)."""
    from django.db.models import Max

    from shouzhan.insight.models import ChainNode, ChainVersion

    latest = dict(ChainVersion.objects.values("chain").annotate(n=Max("number")).values_list("chain", "n"))
    rows = ChainVersion.objects.values_list("pk", "chain", "number", "title")
    current = [(pk, chain, title) for pk, chain, number, title in rows if latest.get(chain) == number]
    ids = [pk for pk, _chain, _title in current]
    chains = {chain: title for _pk, chain, title in current}
    nodes = dict(ChainNode.objects.filter(version_id__in=ids).values_list("key", "title"))
    return chains, nodes


def _chain(value: object) -> str | None:
    return chain_titles()[0].get(str(value))


def _node(value: object) -> str | None:
    return chain_titles()[1].get(str(value))


audit_words_declare(
    "insight.placement",
    keys={
        "decision": _l("处理"),
        "enterprises": _l("参与推荐的企业"),
        "created": _l("新增推荐"),
        "updated": _l("更新推荐"),
        "removed": _l("撤下推荐"),
        "kept_decided": _l("已确认或否定、保持不变"),
    },
    values={
        "chain": _chain,
        "node": _node,
        "decision": {
            "confirm": _l("确认"),
            "reject": _l("否定"),
            "change": _l("改到其他环节"),
            "place": _l("人工确认"),
        },
    },
)
audit_words_declare(
    "insight.chainversion",
    keys={"nodes": _l("环节数"), "edges": _l("连线数")},
    values={"chain": _chain},
)
audit_words_declare("insight.targetversion", keys={"targets": _l("目标")})
audit_words_declare("insight.snapshot", keys={"figures": _l("指标数")})
audit_words_declare(
    "insight.bulletin",
    keys={"pdf_sha256": _l("PDF 指纹（SHA-256）"), "figures": _l("指标数"), "kind": _l("格式")},
    values={"kind": {"pdf": "PDF", "xlsx": "Excel"}},
)
