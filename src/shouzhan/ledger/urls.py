from django.urls import path

from shouzhan.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.index, name="index"),
    path("wallet/", views.wallet, name="wallet"),
    path("provider/", views.provider, name="provider"),
    path("staff/", views.staff, name="staff"),
    path("staff/grant/", views.batch_grant, name="batch_grant"),
    path("staff/grant/xlsx/", views.batch_grant_sheet, name="batch_grant_sheet"),
    path("staff/grant/template.xlsx", views.batch_grant_sheet_template, name="batch_grant_sheet_template"),
    path("staff/export.xlsx", views.export_usage, name="export_usage"),
    path("staff/disbursements/", views.disbursement_create, name="disbursement_create"),
    path("staff/disbursements/<int:pk>.xlsx", views.export_batch, name="export_batch"),
    path("staff/payments/<int:pk>/", views.payment_mark, name="payment_mark"),
    path("claims/<int:pk>/<str:action>/", views.claim_decide, name="claim_decide"),
]
