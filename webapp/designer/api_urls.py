from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

app_name = "designer_api"

router = SimpleRouter()
router.register("designer/drafts", api.DraftViewSet, basename="draft")
router.register("designer/migrations", api.MigrationViewSet, basename="migration")

urlpatterns = [
    path("designer/lint/", api.lint, name="lint"),
    path("designer/check-script/", api.check_script, name="check-script"),
    path("designer/form-preview/", api.form_preview, name="form-preview"),
    path("designer/catalogue/", api.catalogue, name="catalogue"),
    path("designer/flows/", api.flows, name="flows"),
    path("designer/flows/<str:key>/versions/", api.versions, name="versions"),
    path("designer/compare/", api.compare, name="compare"),
    path("designer/migrations/dry-run/", api.dry_run, name="dry-run"),
    path("designer/waits/", api.where_work_waits, name="waits"),
    path(
        "", include(router.urls)
    ),  # after designer/migrations/dry-run/, which the router would take for an id
]
