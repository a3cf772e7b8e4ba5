from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

app_name = "movein_api"

router = SimpleRouter()
router.register("movein/standards", api.StandardsViewSet, basename="standard")
router.register("movein/contractors", api.ContractorViewSet, basename="contractor")
router.register("movein/batches", api.BatchViewSet, basename="batch")
router.register("movein/rooms", api.BatchRoomViewSet, basename="room")
router.register("movein/defects", api.DefectViewSet, basename="defect")
router.register("movein/photos", api.PhotoViewSet, basename="photo")

urlpatterns = [path("", include(router.urls))]
