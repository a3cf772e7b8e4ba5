from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.search, name="search"),
    path("audit/export.<str:kind>", views.export, name="export"),
    path("audit/instances/<int:pk>/", views.instance_timeline, name="timeline"),
    path("audit/people/<int:pk>/", views.person, name="person"),
    path("audit/reports/", views.compliance, name="reports"),
    path("audit/chain/", views.chain, name="chain"),
]
