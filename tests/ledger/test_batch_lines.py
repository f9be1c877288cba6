"""The batch grant's pasted list: one enterprise a line, then a separator, then the amount in yuan.

Issue #11 (defect 9 follow-up): the money parser accepts thousands separators (1,000.50), but the
list split its lines on the last comma, so "甲公司, 1,000.50" was read as enterprise "甲公司, 1" and
amount "000.50". The enterprise now ends at the first separator; the amount is read whole.
"""

from __future__ import annotations

from typing import Any

import pytest

from shouzhan.ledger import selectors

pytestmark = pytest.mark.django_db


def test_amounts_with_thousands_separators_are_read_whole(
    programme: Any, officer: Any, login_client: Any, make_enterprise: Any
) -> None:
    jia, jia_owner = make_enterprise(name="甲公司")
    yi, _ = make_enterprise(name="乙公司")
    bing, _ = make_enterprise(name="丙公司")
    ding, _ = make_enterprise(name="丁公司")
    rows = "\n".join(
        [
            "甲公司, 1,000.50",  # comma, then an amount with a thousands separator
            f"{yi.credit_code}\t2,000",  # a tab (pasted from a spreadsheet), by credit code
            "丙公司，30,000.05",  # a full-width comma
            "丁公司；12",  # a full-width semicolon
        ]
    )
    client = login_client(officer)
    preview = client.post("/ledger/staff/grant/", {"programme": programme.pk, "rows": rows})
    assert preview.status_code == 200
    assert [(r.enterprise.pk, r.amount_fen, r.ok) for r in preview.context["preview"]] == [
        (jia.pk, 100_050, True),
        (yi.pk, 200_000, True),
        (bing.pk, 3_000_005, True),
        (ding.pk, 1_200, True),
    ]
    assert preview.context["total_fen"] == 3_301_255

    done = client.post("/ledger/staff/grant/", {"programme": programme.pk, "rows": rows, "confirm": "1"})
    assert done.status_code == 302
    (wallet,) = selectors.wallets_for(actor=jia_owner, enterprise_id=jia.pk)
    assert (wallet.granted_fen, wallet.balance_fen) == (100_050, 100_050)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("甲公司", "第 1 行：格式应为“企业, 金额”。"),
        ("甲公司,", "第 1 行：格式应为“企业, 金额”。"),
        (", 100", "第 1 行：格式应为“企业, 金额”。"),
        ("甲公司, 1,00", "第 1 行：“1,00”不是有效金额：请只填阿拉伯数字，可用逗号按三位分隔"),
        ("甲公司, 1,000, 5", "第 1 行：“1,000, 5”不是有效金额：请只填阿拉伯数字，可用逗号按三位分隔"),
        ("甲公司 1000", "第 1 行：格式应为“企业, 金额”。"),
    ],
)
def test_lines_that_are_not_enterprise_then_amount_are_refused(
    line: str, error: str, programme: Any, officer: Any, login_client: Any, make_enterprise: Any
) -> None:
    make_enterprise(name="甲公司")
    r = login_client(officer).post("/ledger/staff/grant/", {"programme": programme.pk, "rows": line})
    assert r.status_code == 422
    (message,) = r.context["form"].errors["rows"]
    assert message.startswith(error)
