from django.urls import path

from . import flow_pages

app_name = "designer_flows"

urlpatterns = [
    path("designer/flows/<str:key>/", flow_pages.flow_versions, name="versions"),
    path("designer/flows/<str:key>/compare/", flow_pages.flow_compare, name="compare"),
    path("designer/flows/<str:key>/migrate/", flow_pages.flow_migrate, name="migrate"),
    path("designer/flows/<str:key>/waits/", flow_pages.flow_waits, name="waits"),
    path("designer/versions/<int:pk>/bpmn/", flow_pages.version_bpmn, name="version_bpmn"),
    path("designer/migrations/<int:pk>/", flow_pages.migration_job, name="migration"),
]
