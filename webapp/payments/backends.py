"""The payment adapter interface: what billing calls to take money online.

One backend is active, chosen by the setting ``ANJU_PAYMENT_BACKEND``:

* ``"offline"`` (the default, embedded mode): no online payment; every call raises
  `PaymentUnavailable` and fees are paid at the front desk (webapp/payments/offline.py).
* ``"wechatpay"``: WeChat Pay API v3, Native pay (webapp/payments/wechat.py, docs/payments.md).

Usage by billing (webapp/billing)::

    backend = get_backend()
    if backend.online:
        created = backend.create_native_order(OrderRequest(out_trade_no, amount_fen, ...))
        # show created.code_url as a QR code (desk screen or owner web page)
    state = backend.query_order(out_trade_no)          # poll, or on return from the QR page
    note = backend.verify_notification(request.headers, request.body)  # the notify endpoint

Rules of the layer:

* Amounts are integer fen (1 yuan = 100 fen), never Decimal or float; billing converts with
  webapp/fees/money.py.
* Datetimes are aware UTC.
* Calls make network requests: make them outside database transactions and row locks
  (docs/STYLE 7), and record the order before calling (the out_trade_no is ours).
* Errors: `PaymentUnavailable` (no online payment here; the message is for users),
  `PaymentError` (the provider refused or could not be reached; `code` is the provider's code),
  `BadNotification` (a notification that must not be trusted; answer it with HTTP 4xx).
  `verify_notification` raises nothing else, whatever the input.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# WeChat Pay's out_trade_no: 6 to 32 characters of letters, digits, _-|*. It goes into URL paths.
OUT_TRADE_NO = re.compile(r"[0-9A-Za-z_\-|*]{6,32}")
# Trade states (WeChat Pay's names; other backends map theirs onto these).
SUCCESS = "SUCCESS"  # paid
NOTPAY = "NOTPAY"  # waiting for the payer
CLOSED = "CLOSED"  # closed by us (close_order) or expired
REFUND = "REFUND"  # paid, then refunded (in part or in full)
PAYERROR = "PAYERROR"  # payment failed
USERPAYING = "USERPAYING"  # the payer is entering a password
REVOKED = "REVOKED"  # (payment-code pay only)


def check_out_trade_no(out_trade_no: str) -> str:
    """The order number unchanged, or ValueError (a programming error: billing makes the numbers)."""
    if not isinstance(out_trade_no, str) or not OUT_TRADE_NO.fullmatch(out_trade_no):
        raise ValueError(f"out_trade_no must be 6-32 of [0-9A-Za-z_-|*]: {out_trade_no!r}")
    return out_trade_no


@dataclass(frozen=True)
class OrderRequest:
    """An order to pay: our number, the amount in fen, what the payer sees, where to notify."""

    out_trade_no: str
    amount_fen: int
    description: str  # shown to the payer; WeChat Pay takes at most 127 characters
    notify_url: str  # https, no query string (WeChat Pay's rule); the lead's notify endpoint
    expire_at: datetime | None = None  # aware; the QR code stops working then

    def __post_init__(self) -> None:
        check_out_trade_no(self.out_trade_no)
        if isinstance(self.amount_fen, bool) or not isinstance(self.amount_fen, int) or self.amount_fen <= 0:
            raise ValueError(f"amount_fen must be a positive int: {self.amount_fen!r}")
        if not self.description or len(self.description) > 127:
            raise ValueError("description must be 1-127 characters")
        if not self.notify_url.startswith("https://") or "?" in self.notify_url:
            raise ValueError("notify_url must be an https URL without a query string")
        if self.expire_at is not None and self.expire_at.tzinfo is None:
            raise ValueError("expire_at must be aware")


@dataclass(frozen=True)
class OrderCreated:
    """A Native-pay order: `code_url` is what the QR code encodes (weixin://wxpay/bizpayurl?pr=...)."""

    out_trade_no: str
    code_url: str


@dataclass(frozen=True)
class OrderState:
    """The provider's view of an order."""

    out_trade_no: str
    trade_state: str  # SUCCESS, NOTPAY, CLOSED, REFUND, PAYERROR, USERPAYING, REVOKED
    transaction_id: str = ""  # the provider's number, once paid
    amount_fen: int | None = None  # the order's total
    paid_at: datetime | None = None  # aware UTC, once paid

    @property
    def paid(self) -> bool:
        return self.trade_state == SUCCESS


@dataclass(frozen=True)
class Notification(OrderState):
    """A verified, decrypted payment notification (e.g. event_type TRANSACTION.SUCCESS)."""

    event_id: str = ""  # the provider's notification id: the same payment may be notified again
    event_type: str = ""


class PaymentUnavailable(Exception):
    """No online payment here (offline backend). str() is a translated message for users."""


class PaymentError(Exception):
    """The provider refused the call or could not be reached. str() is the provider's message."""

    def __init__(self, message: str, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.code = code  # the provider's error code (ORDER_NOT_EXIST, ORDERPAID, ...) or ""
        self.status = status  # the HTTP status, None for network errors


class BadNotification(Exception):
    """A notification that must not be trusted. str() says why (for logs, not for users)."""


class PaymentBackend(ABC):
    """One payment provider. Implementations: offline.OfflineBackend, wechat.WeChatPayBackend."""

    name: str  # "offline", "wechatpay"
    online: bool  # False: every call raises PaymentUnavailable

    @abstractmethod
    def describe(self) -> str:
        """One translated sentence for pages: how residents can pay."""

    @abstractmethod
    def create_native_order(self, req: OrderRequest) -> OrderCreated:
        """Open an order paid by scanning a QR code. Repeating the same request returns the same code."""

    @abstractmethod
    def query_order(self, out_trade_no: str) -> OrderState:
        """The provider's state of our order (PaymentError code ORDER_NOT_EXIST if unknown)."""

    @abstractmethod
    def close_order(self, out_trade_no: str) -> None:
        """Close an unpaid order so it can no longer be paid (PaymentError code ORDERPAID if paid)."""

    @abstractmethod
    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        """Check and decrypt a notification the provider posted; BadNotification otherwise, nothing else.

        `headers` may be Django's request.headers (any case) or request.META (HTTP_WECHATPAY_...);
        `body` is the raw request body.
        """


def get_backend() -> PaymentBackend:
    """The backend named by settings.ANJU_PAYMENT_BACKEND ("offline" unless configured).

    A half-configured online backend raises ImproperlyConfigured (an operator error, loud on purpose).
    """
    name = getattr(settings, "ANJU_PAYMENT_BACKEND", "offline") or "offline"
    if name == "offline":
        from .offline import OfflineBackend

        return OfflineBackend()
    if name == "wechatpay":
        from .wechat import backend_from_settings

        return backend_from_settings()
    raise ImproperlyConfigured(f"ANJU_PAYMENT_BACKEND {name!r}: one of offline, wechatpay")
