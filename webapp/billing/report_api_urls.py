from django.urls import path

from . import report_api

app_name = "billing_reports_api"

urlpatterns = [
    path("billing/reports/summary/", report_api.SummaryView.as_view(), name="summary"),
    path("billing/reports/aging/", report_api.AgingView.as_view(), name="aging"),
    path("billing/reports/deposits/", report_api.DepositsView.as_view(), name="deposits"),
    path("billing/reports/journal/", report_api.JournalView.as_view(), name="journal"),
]
