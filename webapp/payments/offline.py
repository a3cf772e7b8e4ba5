"""The embedded default: no online payment. Fees are paid at the front desk.

Every payment call raises `PaymentUnavailable` with a message for users, so a page that offers
online payment by mistake says why it cannot, instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext

from .backends import (
    BadNotification,
    Notification,
    OrderCreated,
    OrderRequest,
    OrderState,
    PaymentBackend,
    PaymentUnavailable,
)


class OfflineBackend(PaymentBackend):
    name = "offline"
    online = False

    def describe(self) -> str:
        return gettext("Online payment is not set up: fees are paid at the front desk.")

    def _unavailable(self) -> PaymentUnavailable:
        return PaymentUnavailable(gettext("Online payment is not set up: please pay at the front desk."))

    def create_native_order(self, req: OrderRequest) -> OrderCreated:
        raise self._unavailable()

    def query_order(self, out_trade_no: str) -> OrderState:
        raise self._unavailable()

    def close_order(self, out_trade_no: str) -> None:
        raise self._unavailable()

    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        # Nobody may post a payment here: a notification is never trusted.
        raise BadNotification("online payment is not set up (ANJU_PAYMENT_BACKEND=offline)")
