"""POST /api/billing/charges/{id}/waiver/ {reason}: ask for a late fee's waiver (违约金减免), which
starts the approval flow late_fee_waiver (webapp/billing/waivers.py). The desk's right
(billing.cashier in webapp/common/rights.py) starts it; the approval is the flow's 物业经理 task."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from webapp.api.views import ERROR
from webapp.common.params import object_body

from . import access, waivers

OBJECT = {"application/json": {"type": "object"}}


@extend_schema(
    request=OBJECT,
    responses={201: dict, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
    description="Ask for the waiver of a late fee (kind late_fee) with a reason; 物业经理 approves it in the flow.",
)
@api_view(["POST"])
def waiver_start(request: Request, pk: str) -> Response:
    fee = access.access_charge(request.user, pk)
    instance = waivers.do_request_waiver(request.user, fee, object_body(request.data))
    return Response(
        {"id": instance.pk, "business_key": instance.business_key, "status": instance.status},
        status=status.HTTP_201_CREATED,
    )
