from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

app_name = "repairs_api"

router = SimpleRouter()
router.register("repairs/photos", api.PhotoViewSet, basename="photo")
router.register("repairs", api.RepairViewSet, basename="repair")

urlpatterns = [path("", include(router.urls))]
