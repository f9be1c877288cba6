"""The ledger: accounts and append-only double entries in integer fen, and the records around them.

The database keeps the books honest on its own:
- an entry is never updated or deleted (triggers refuse it);
- inserting an entry moves its account's stored balance (trigger), so the totals can never drift
  from the entries, and CHECK constraints refuse a balance below zero or a wallet above its yearly cap;
- accounts with no limit to enforce on their way up (a provider's receivable, paid out) keep no
  stored total: their balance is the sum of their entries, so the approvals that credit a
  provider's receivable never queue on its row; a trigger refuses an entry that would take such
  an account below zero;
- on PostgreSQL a deferred constraint trigger refuses a journal whose entries do not sum to zero.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Item(models.TextChoices):
    COMPUTE = "compute", _("算力券")
    MODEL = "model", _("模型券")
    CORPUS = "corpus", _("语料券")


# Which catalogue clause gives each voucher item its yearly cap.
ITEM_CLAUSES = {
    Item.COMPUTE: "xuhui.compute_voucher",
    Item.MODEL: "xuhui.model_voucher",
    Item.CORPUS: "xuhui.corpus_voucher",
}
CLAUSE_ITEMS = {clause: item for item, clause in ITEM_CLAUSES.items()}


class Account(models.Model):
    class Kind(models.TextChoices):
        FUNDING = "funding", _("财政资金来源")
        PROGRAMME_BUDGET = "programme_budget", _("券项目预算")
        WALLET = "wallet", _("企业券额度")
        HOLD = "hold", _("核销冻结")
        RECEIVABLE = "receivable", _("服务商应收")
        CLAUSE_BUDGET = "clause_budget", _("条款年度预算")
        CLAUSE_RESERVED = "clause_reserved", _("已核定待拨付")
        PAID_OUT = "paid_out", _("已拨付")

    key = models.CharField(_("账户键"), max_length=120, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        "ledger.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    # Maintained by the database trigger on entry insert when `keeps_total`; rebuildable from the
    # entries. Read balances through `books.balances` / `selectors.account_balances`, which derive
    # the others from their entries.
    balance_fen = models.BigIntegerField(_("余额（分）"), default=0)
    capped_fen = models.BigIntegerField(_("计入上限的累计发放（分）"), default=0)
    cap_fen = models.BigIntegerField(_("上限（分）"), null=True, blank=True)
    allow_negative = models.BooleanField(_("可为负"), default=False)
    # False for the accounts many postings credit at once and no limit guards (receivable, paid
    # out): a stored total there would be one row every approval has to lock until its commit.
    keeps_total = models.BooleanField(_("保存余额合计"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("账户")
        verbose_name_plural = _("账户")
        constraints = [
            models.CheckConstraint(
                condition=Q(balance_fen__gte=0) | Q(allow_negative=True), name="ledger_account_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(cap_fen__isnull=True) | Q(capped_fen__lte=models.F("cap_fen")),
                name="ledger_account_within_cap",
            ),
            models.CheckConstraint(
                condition=Q(allow_negative=False) | Q(kind="funding"), name="ledger_only_funding_negative"
            ),
            # An account without a stored total has nothing stored that could be mistaken for one,
            # and only the unlimited kinds may go without.
            models.CheckConstraint(
                condition=Q(keeps_total=True)
                | Q(kind__in=["receivable", "paid_out"], balance_fen=0, capped_fen=0, cap_fen__isnull=True),
                name="ledger_account_total_kept",
            ),
        ]

    # The kinds whose balance is derived from the entries on every read.
    DERIVED_KINDS = ("receivable", "paid_out")

    def __str__(self) -> str:
        return self.name


class Journal(models.Model):
    """One business event; its entries sum to zero. Never changed: a correction is a reversing journal."""

    class Kind(models.TextChoices):
        FUND = "fund", _("预算下达")
        GRANT = "grant", _("发券")
        HOLD = "hold", _("核销申请冻结")
        APPROVE = "approve", _("核销通过")
        RELEASE_HOLD = "release_hold", _("核销退回")
        EXPIRE = "expire", _("到期收回")
        RESERVE = "reserve", _("核定占用预算")
        CONSUME = "consume", _("拨付")
        RELEASE = "release", _("释放预算")
        PAY = "pay", _("支付服务商")
        REVERSAL = "reversal", _("冲正")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    memo = models.CharField(_("摘要"), max_length=255, blank=True)
    actor_label = models.CharField(_("操作人"), max_length=150, blank=True)
    programme = models.ForeignKey(
        "ledger.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="journals"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claim = models.ForeignKey(
        "ledger.Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="journals"
    )
    case_id = models.BigIntegerField(_("案件"), null=True, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        constraints = [
            # A case grants its voucher once.
            models.UniqueConstraint(
                fields=["case_id"],
                condition=Q(kind="grant", case_id__isnull=False),
                name="ledger_one_grant_per_case",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | Q(kind="reversal"), name="ledger_reverses_only_reversal"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"


class Entry(models.Model):
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount_fen = models.BigIntegerField(_("金额（分）"))
    counts_to_cap = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        constraints = [models.CheckConstraint(condition=~Q(amount_fen=0), name="ledger_entry_not_zero")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount_fen}"


class Programme(models.Model):
    """A voucher programme: one item (compute, model, corpus) for one year."""

    item = models.CharField(_("券种"), max_length=10, choices=Item.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=200)
    clause_id = models.CharField(_("政策条款"), max_length=100)
    # Copied from the catalogue's rule when the programme is opened (never typed by hand).
    cap_fen = models.BigIntegerField(_("每家企业年度上限（分）"))
    valid_from = models.DateField(_("有效期自"))
    valid_until = models.DateField(_("有效期至"))
    budget_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="budget_of", verbose_name=_("预算账户")
    )
    providers = models.ManyToManyField(
        "accounts.Organisation", blank=True, related_name="voucher_programmes", verbose_name=_("服务商")
    )
    expired_at = models.DateTimeField(_("到期收回时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["-year", "item"]
        verbose_name = _("券项目")
        verbose_name_plural = _("券项目")
        constraints = [
            models.UniqueConstraint(fields=["item", "year"], name="ledger_programme_item_year"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="ledger_programme_dates"
            ),
            models.CheckConstraint(condition=Q(cap_fen__gt=0), name="ledger_programme_cap_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Claim(models.Model):
    """A provider's request to be paid from an enterprise's voucher for one invoice."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待企业确认")
        CONFIRMED = "confirmed", _("待专员审核")
        APPROVED = "approved", _("已核销")
        DECLINED = "declined", _("企业不认可")
        REJECTED = "rejected", _("审核未通过")
        REVERSED = "reversed", _("已冲正")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="claims")
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField(_("金额（分）"))
    invoice_no = models.CharField(_("发票号码"), max_length=40)
    service_from = models.DateField(_("服务期自"))
    service_to = models.DateField(_("服务期至"))
    description = models.CharField(_("服务内容"), max_length=255, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.SUBMITTED)
    note = models.CharField(_("说明"), max_length=255, blank=True)
    version = models.PositiveIntegerField(default=1)
    submitted_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("核销申请")
        verbose_name_plural = _("核销申请")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="ledger_claim_positive"),
            models.CheckConstraint(
                condition=Q(service_to__gte=models.F("service_from")), name="ledger_claim_period"
            ),
            # The same invoice is never claimed twice (a refused or reversed claim frees its number).
            models.UniqueConstraint(
                fields=["invoice_no"],
                condition=~Q(state__in=["declined", "rejected", "reversed"]),
                name="ledger_claim_invoice_once",
            ),
        ]
        indexes = [models.Index(fields=["state"]), models.Index(fields=["enterprise", "state"])]

    def __str__(self) -> str:
        return f"{self.invoice_no}"


class ClauseBudget(models.Model):
    clause_id = models.CharField(_("政策条款"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="+")
    reserved_account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year", "clause_id"]
        verbose_name = _("条款年度预算")
        verbose_name_plural = _("条款年度预算")
        constraints = [
            models.UniqueConstraint(fields=["clause_id", "year"], name="ledger_clause_budget_year")
        ]

    def __str__(self) -> str:
        return f"{self.clause_id} {self.year}"


class Reservation(models.Model):
    class State(models.TextChoices):
        RESERVED = "reserved", _("已占用")
        CONSUMED = "consumed", _("已拨付")
        RELEASED = "released", _("已释放")

    budget = models.ForeignKey(ClauseBudget, on_delete=models.PROTECT, related_name="reservations")
    case_id = models.BigIntegerField(_("案件"), unique=True)
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField(_("金额（分）"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.RESERVED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("预算占用")
        verbose_name_plural = _("预算占用")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="ledger_reservation_positive")
        ]

    def __str__(self) -> str:
        return f"case {self.case_id}"


class DisbursementBatch(models.Model):
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("拨付批次")
        verbose_name_plural = _("拨付批次")

    def __str__(self) -> str:
        return f"#{self.pk}"


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待支付")
        PAID = "paid", _("已支付")
        FAILED = "failed", _("支付失败")

    batch = models.ForeignKey(DisbursementBatch, on_delete=models.PROTECT, related_name="payments")
    payee = models.CharField(_("收款人"), max_length=200)
    amount_fen = models.BigIntegerField(_("金额（分）"))
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    reservation = models.ForeignKey(
        Reservation, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    status_note = models.CharField(_("说明"), max_length=255, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("支付")
        verbose_name_plural = _("支付")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="ledger_payment_positive"),
            models.CheckConstraint(
                condition=Q(claim__isnull=False, reservation__isnull=True)
                | Q(claim__isnull=True, reservation__isnull=False),
                name="ledger_payment_one_source",
            ),
            # A claim or a reservation is in at most one live payment (a failed one can be retried).
            models.UniqueConstraint(
                fields=["claim"], condition=~Q(status="failed"), name="ledger_payment_claim_once"
            ),
            models.UniqueConstraint(
                fields=["reservation"], condition=~Q(status="failed"), name="ledger_payment_reservation_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payee} {self.amount_fen}"


class IdempotencyKey(models.Model):
    """The first answer to an API request with an Idempotency-Key, replayed on retries."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    endpoint = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="ledger_idempotency_once")]

    def __str__(self) -> str:
        return self.key
