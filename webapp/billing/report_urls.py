from django.urls import path

from . import report_views

app_name = "billing_reports"

urlpatterns = [
    path("billing/reports/", report_views.overview, name="overview"),
    path("billing/reports/aging/", report_views.aging, name="aging"),
    path("billing/reports/deposits/", report_views.deposits, name="deposits"),
    path("billing/reports/journal/", report_views.journal, name="journal"),
    path("billing/reports/export.xlsx", report_views.export_xlsx, name="export_xlsx"),
    path("billing/reports/export.csv", report_views.export_csv, name="export_csv"),
]
