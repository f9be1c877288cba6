"""The ledger's invariants, for a restore (and anyone) to check: `selectors.books_check` in words."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shouzhan.ledger.selectors import books_check

LABEL = _l("账目自检")


def check() -> list[str]:
    books = books_check()
    problems = []
    if books.entries_total_fen:
        problems.append(_("全部分录合计应为零，实为 %(fen)s 分。") % {"fen": books.entries_total_fen})
    for ids, words in (
        (books.unbalanced_journals, _("借贷不平的凭证")),
        (books.drifted_accounts, _("余额与分录不符的账户")),
        (books.negative_accounts, _("余额为负的账户")),
        (books.over_cap_accounts, _("超过上限的账户")),
    ):
        if ids:
            problems.append(
                _("%(what)s %(n)s 个（编号 %(ids)s）。")
                % {"what": words, "n": len(ids), "ids": ", ".join(map(str, ids[:10]))}
            )
    return problems
