"""Pages of the ledger: the enterprise's vouchers, the provider's claims, staff usage and budgets. Thin."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from shouzhan.core.actors import Actor
from shouzhan.core.errors import Conflict
from shouzhan.core.forms import add_service_errors
from shouzhan.core.money import yuan_decimal
from shouzhan.core.spreadsheets import Sheet, write_xlsx
from shouzhan.ledger import batch_sheet, charts, permissions, selectors, services
from shouzhan.ledger.forms import BatchGrantForm, BatchSheetForm, ClaimForm, NoteForm
from shouzhan.ledger.models import Claim, Programme


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if permissions.is_staff(request.user):
        return redirect("ledger:staff")
    if permissions.provider_ids(request.user):
        return redirect("ledger:provider")
    if permissions.enterprise_ids(request.user):
        return redirect("ledger:wallet")
    return render(request, "core/coming_soon.html", {"active_nav": "ledger"})


# ----------------------------------------------------------------------------- enterprise
@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    asked = request.GET.get("enterprise") or ""
    if asked and not asked.isdigit():
        raise Http404(_("没有找到该企业。"))
    enterprise = selectors.wallet_enterprise(actor=request.user, enterprise_id=int(asked) if asked else None)
    rows = selectors.wallets_for(actor=request.user, enterprise_id=enterprise.pk)
    claims = selectors.claims_for_enterprise(actor=request.user, enterprise_id=enterprise.pk)
    return render(
        request,
        "ledger/wallet.html",
        {
            "active_nav": "ledger",
            "enterprise": enterprise,
            "rows": rows,
            "to_confirm": [c for c in claims if c.state == Claim.State.SUBMITTED],
            "claims": claims[:50],
            "history": selectors.wallet_history(actor=request.user, enterprise_id=enterprise.pk),
        },
    )


def _claim_reverse(
    *, actor: Actor, claim: Claim, expected_version: int | None = None, note: str = ""
) -> Claim:
    return services.claim_reverse(actor=actor, claim=claim, reason=note, expected_version=expected_version)


@login_required
@require_POST
def claim_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    claim = selectors.claim_get(actor=request.user, pk=pk)
    form = NoteForm(request.POST)
    note = form.data.get("note", "")[:255]
    actions = {
        "confirm": (services.claim_confirm, "ledger:wallet", _("已确认，等待营商专员审核。")),
        "decline": (services.claim_decline, "ledger:wallet", _("已退回，冻结的额度已回到您的券中。")),
        "approve": (services.claim_approve, "ledger:staff", _("已核销。")),
        "reject": (services.claim_reject, "ledger:staff", _("已退回该核销申请。")),
        "reverse": (_claim_reverse, "ledger:staff", _("已冲正：金额已回到企业的券中。")),
    }
    if action not in actions:
        raise Http404
    service, back, done = actions[action]
    try:
        version = int(request.POST.get("expected_version") or 0) or None
        service(actor=request.user, claim=claim, expected_version=version, note=note)
        messages.success(request, done)
    except Conflict as exc:
        # Changed meanwhile: 409, with the message above the claims as they are now.
        messages.error(request, _errors(exc))
        response = (wallet if back == "ledger:wallet" else staff)(request)
        response.status_code = 409
        return response
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    except ValueError:
        messages.error(request, _("请求有误，请刷新页面后重试。"))
    return redirect(back)


# ----------------------------------------------------------------------------- provider
@login_required
def provider(request: HttpRequest) -> HttpResponse:
    organisation = selectors.provider_organisation(actor=request.user)
    form = ClaimForm(request.POST or None, provider_ids=permissions.provider_ids(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = services.claim_submit(
                actor=request.user,
                programme=data["programme"],
                enterprise=data["enterprise"],
                provider=organisation,
                amount_fen=data["amount"],
                invoice_no=data["invoice_no"],
                service_from=data["service_from"],
                service_to=data["service_to"],
                description=data["description"],
            )
            messages.success(
                request, _("已提交发票 %(no)s 的核销申请，等待企业确认。") % {"no": claim.invoice_no}
            )
            return redirect("ledger:provider")
        except ValidationError as exc:
            add_service_errors(form, exc)
    claims = selectors.claims_for_provider(actor=request.user)
    return render(
        request,
        "ledger/provider.html",
        {
            "active_nav": "ledger_provider",
            "organisation": organisation,
            "form": form,
            "claims": claims,
            "totals": selectors.provider_totals(actor=request.user),
        },
        status=422 if form.errors else 200,
    )


# ----------------------------------------------------------------------------- staff
@login_required
def staff(request: HttpRequest) -> HttpResponse:
    permissions.require_staff(request.user)
    usage = selectors.programme_usage()
    series = selectors.budget_series(account_ids=[u.programme.budget_account_id for u in usage])
    cards = [
        {
            "u": u,
            "chart": charts.burn_down(
                series[u.programme.budget_account_id], u.programme.valid_from, u.programme.valid_until
            ),
        }
        for u in usage
    ]
    bars = [(f"{u.programme.name}", int(yuan_decimal(u.redeemed_fen) // 10000)) for u in usage]
    batch_form = BatchGrantForm()
    return render(
        request,
        "ledger/staff.html",
        {
            "active_nav": "ledger",
            "cards": cards,
            "bars": bars,
            "clause_budgets": selectors.clause_budgets(),
            "to_approve": selectors.claims_to_approve(actor=request.user),
            "recent": selectors.claims_recent(actor=request.user),
            "batch_form": batch_form,
            "can_grant": permissions.can_grant(request.user),
            "can_approve": permissions.can_approve(request.user),
            "can_pay": permissions.can_pay(request.user),
            "batches": selectors.disbursement_batches(actor=request.user),
        },
    )


_SHEET_SALT = "ledger.batch_sheet"


@login_required
def batch_grant_sheet(request: HttpRequest) -> HttpResponse:
    """Upload an .xlsx, see every row's verdict (row number and reason), then grant all or nothing."""
    permissions.require_staff_grant(request.user)
    form = BatchSheetForm(request.POST or None, request.FILES or None)
    report = None
    payload = ""
    errors: list[str] = []
    programme: Programme | None = None
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            carried = signing.loads(request.POST.get("payload", ""), salt=_SHEET_SALT, max_age=3600)
            programme = selectors.programme_get(pk=carried["programme"])
            done = services.voucher_batch_sheet_grant(
                actor=request.user,
                programme=programme,
                rows=batch_sheet.rows_from_payload(carried["rows"]),
                source=carried.get("source", ""),
                token=carried.get("token", ""),
            )
            messages.success(request, _("已向 %(n)s 家企业发券。") % {"n": len(done)})
            return redirect("ledger:staff")
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            errors.append(_("预览已过期或内容不完整，请重新上传文件。"))
        except ValidationError as exc:
            errors.extend(exc.messages)
        form = BatchSheetForm()
    elif request.method == "POST" and form.is_valid():
        programme = form.cleaned_data["programme"]
        upload = form.cleaned_data["file"]
        try:
            rows = batch_sheet.sheet_read(data=upload.read(), filename=upload.name or "")
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            report = services.voucher_batch_sheet_preview(actor=request.user, programme=programme, rows=rows)
            if all(r.ok for r in report):
                payload = signing.dumps(
                    {
                        "programme": programme.pk,
                        "rows": [r.as_payload() for r in rows],
                        "source": (upload.name or "")[:200],
                        "token": uuid.uuid4().hex,
                    },
                    salt=_SHEET_SALT,
                    compress=True,
                )
    bad = [r for r in report or [] if not r.ok]
    return render(
        request,
        "ledger/batch_grant_sheet.html",
        {
            "active_nav": "ledger",
            "form": form,
            "programme": programme,
            "report": report,
            "bad_count": len(bad),
            "payload": payload,
            "errors": errors,
            "total_fen": sum(r.amount_fen or 0 for r in report or []),
        },
        status=422 if form.errors or errors or bad else 200,
    )


@login_required
def batch_grant_sheet_template(request: HttpRequest) -> HttpResponse:
    """An empty batch sheet with the three columns and one example row."""
    permissions.require_staff(request.user)
    return _xlsx(
        {
            str(_("发放名单")): [
                list(batch_sheet.COLUMNS),
                ["91310104MA1FR0000X", "200000.00", _("示例，请删除")],
            ]
        },
        "batch-grant-template.xlsx",
    )


@login_required
def batch_grant(request: HttpRequest) -> HttpResponse:
    permissions.require_staff_grant(request.user)
    form = BatchGrantForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        programme: Programme = form.cleaned_data["programme"]
        rows = form.cleaned_data["rows"]
        if request.POST.get("confirm"):
            try:
                done = services.voucher_batch_grant(actor=request.user, programme=programme, rows=rows)
                messages.success(request, _("已向 %(n)s 家企业发券。") % {"n": len(done)})
                return redirect("ledger:staff")
            except ValidationError as exc:
                form.add_error(None, exc.messages)
        preview = services.voucher_batch_preview(actor=request.user, programme=programme, rows=rows)
    return render(
        request,
        "ledger/batch_grant.html",
        {
            "active_nav": "ledger",
            "form": form,
            "preview": preview,
            "all_ok": bool(preview) and all(r.ok for r in preview or []),
            "total_fen": sum(r.amount_fen for r in preview or []),
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def disbursement_create(request: HttpRequest) -> HttpResponse:
    permissions.require_staff(request.user)
    try:
        batch = services.disbursement_batch_create(actor=request.user)
        messages.success(request, _("已生成拨付批次 #%(n)s。") % {"n": batch.pk})
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("ledger:staff")


@login_required
@require_POST
def payment_mark(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require_staff(request.user)
    payment = selectors.payment_get(actor=request.user, pk=pk)
    try:
        services.payment_mark(
            actor=request.user,
            payment=payment,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("已记录支付结果。"))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("ledger:staff")


def _xlsx(sheets: dict[str, list[list[Any]]], filename: str) -> HttpResponse:
    """Sheets of rows (the first row of each is its header) through the one writer: a payee named
    '=HYPERLINK(…)' stays text in the bank's payment file, never a live formula."""
    content = write_xlsx(*(Sheet(title, rows[1:], header=rows[0]) for title, rows in sheets.items()))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def export_usage(request: HttpRequest) -> HttpResponse:
    permissions.require_staff(request.user)
    usage: list[list[Any]] = [
        [
            pgettext("voucher programme", "项目"),
            _("年度"),
            _("每家上限（元）"),
            _("预算剩余（元）"),
            _("已发券（元）"),
            _("冻结中（元）"),
            _("已核销（元）"),
            _("企业数"),
        ]
    ]
    for u in selectors.programme_usage():
        usage.append(
            [
                u.programme.name,
                u.programme.year,
                yuan_decimal(u.programme.cap_fen),
                yuan_decimal(u.budget_left_fen),
                yuan_decimal(u.granted_fen),
                yuan_decimal(u.held_fen),
                yuan_decimal(u.redeemed_fen),
                u.wallets,
            ]
        )
    budgets: list[list[Any]] = [
        [_("条款"), _("年度"), _("可用（元）"), _("已核定待拨付（元）"), _("已拨付（元）")]
    ]
    for b in selectors.clause_budgets():
        budgets.append(
            [
                b["budget"].clause_id,
                b["budget"].year,
                yuan_decimal(b["available_fen"]),
                yuan_decimal(b["reserved_fen"]),
                yuan_decimal(b["consumed_fen"]),
            ]
        )
    return _xlsx(
        {str(_("券项目")): usage, str(_("条款预算")): budgets}, f"ledger-{timezone.localdate()}.xlsx"
    )


@login_required
def export_batch(request: HttpRequest, pk: int) -> HttpResponse:
    """The bank payment file of one disbursement batch."""
    permissions.require_staff(request.user)
    batch = selectors.disbursement_batch_get(actor=request.user, pk=pk)
    rows: list[list[Any]] = [[_("序号"), _("收款人"), _("金额（元）"), _("用途"), _("状态")]]
    for n, p in enumerate(batch.payments.select_related("claim", "reservation"), start=1):
        purpose = (
            _("券核销 发票%(no)s") % {"no": p.claim.invoice_no}
            if p.claim
            else _("政策扶持 案件%(id)s") % {"id": p.reservation.case_id if p.reservation else ""}
        )
        rows.append([n, p.payee, yuan_decimal(p.amount_fen), purpose, p.get_status_display()])
    return _xlsx({str(_("支付清单")): rows}, f"payment-batch-{batch.pk}.xlsx")
