from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from webapp.accounts.throttle import obtain_auth_token  # DRF's, with the login throttle

from . import lookups, sla, views

router = DefaultRouter()
# No format-suffix twins (/api/tasks/1.json): the views take no `format` argument (a 500), and
# JSON is what the API speaks anyway (?format= and the Accept header still choose the renderer).
router.include_format_suffixes = False
router.register("process-definitions", views.ProcessDefinitionViewSet, basename="process-definition")
router.register("process-instances", views.InstanceViewSet, basename="process-instance")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("incidents", views.IncidentViewSet, basename="incident")
router.register("alerts", sla.AlertViewSet, basename="alert")

urlpatterns = [
    path("", include(router.urls)),
    path("me/", views.me, name="api-me"),
    path("lookups/<slug:source>/", lookups.lookup, name="api-lookup"),
    path("sla/summary/", sla.sla_summary, name="api-sla-summary"),
    path("calendar/deadline/", sla.deadline_view, name="api-deadline"),
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
