"""WeChat Pay API v3, Native pay (the payer scans a QR code), through the `wechatpayv3` package.

Settings (webapp/settings.py, docs/payments.md): ANJU_WECHATPAY_MCHID, _APPID, _CERT_SERIAL_NO
(the merchant API certificate's serial), _PRIVATE_KEY (its PKCS#8 PEM, or _PRIVATE_KEY_FILE),
_APIV3_KEY (32 characters), and how to check WeChat's signatures:

* public-key mode (WeChat Pay's current one): _PUBLIC_KEY (PEM, or _PUBLIC_KEY_FILE) and
  _PUBLIC_KEY_ID (PUB_KEY_ID_...). Nothing is downloaded.
* certificate mode (older merchants): leave both empty; the platform certificates are read from
  _CERT_DIR, or downloaded from WeChat on first use (from the default gateway) and kept there.

_GATEWAY (default https://api.mch.weixin.qq.com; tests point it at tests/payments/v3server.py)
and _TIMEOUT_SECONDS.

wechatpayv3 signs our requests and checks the signature of every 2xx answer; its errors, HTTP
errors and network errors all become `PaymentError`. Notifications are checked here with its
signature check and AES-GCM decryption, plus what it leaves out: the timestamp against our clock
(5 minutes), the serial, and that the payment is for our merchant id.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext
from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.utils import aes_decrypt, load_private_key, load_public_key

from engine import clock

from .backends import (
    BadNotification,
    Notification,
    OrderCreated,
    OrderRequest,
    OrderState,
    PaymentBackend,
    PaymentError,
    check_out_trade_no,
)

logger = logging.getLogger(__name__)

DEFAULT_GATEWAY = "https://api.mch.weixin.qq.com"
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
# A notification signed longer ago (or further ahead) than this is refused: a replay.
MAX_CLOCK_SKEW = timedelta(minutes=5)
CHINA = timezone(timedelta(hours=8))
_NOTIFY_HEADERS = (
    "Wechatpay-Signature",
    "Wechatpay-Timestamp",
    "Wechatpay-Nonce",
    "Wechatpay-Serial",
    "Wechatpay-Signature-Type",
)


@dataclass(frozen=True)
class WeChatPayConfig:
    mchid: str
    appid: str
    cert_serial_no: str
    private_key: str
    apiv3_key: str
    public_key: str = ""
    public_key_id: str = ""
    cert_dir: str = ""
    gateway: str = DEFAULT_GATEWAY
    timeout: float = 10

    @classmethod
    def from_settings(cls) -> WeChatPayConfig:
        def value(name: str) -> str:
            return str(getattr(settings, f"ANJU_WECHATPAY_{name}", "") or "").strip()

        return cls(
            mchid=value("MCHID"),
            appid=value("APPID"),
            cert_serial_no=value("CERT_SERIAL_NO"),
            private_key=value("PRIVATE_KEY"),
            apiv3_key=value("APIV3_KEY"),
            public_key=value("PUBLIC_KEY"),
            public_key_id=value("PUBLIC_KEY_ID"),
            cert_dir=value("CERT_DIR"),
            gateway=(value("GATEWAY") or DEFAULT_GATEWAY).rstrip("/"),
            timeout=float(getattr(settings, "ANJU_WECHATPAY_TIMEOUT_SECONDS", 10) or 10),
        )

    @property
    def public_key_mode(self) -> bool:
        return bool(self.public_key)

    def check(self) -> None:
        """ImproperlyConfigured naming every missing or unusable setting."""
        problems = [
            f"ANJU_WECHATPAY_{name} is empty"
            for name, present in [
                ("MCHID", self.mchid),
                ("APPID", self.appid),
                ("CERT_SERIAL_NO", self.cert_serial_no),
                ("PRIVATE_KEY", self.private_key),
                ("APIV3_KEY", self.apiv3_key),
            ]
            if not present
        ]
        if self.apiv3_key and len(self.apiv3_key.encode()) != 32:
            problems.append("ANJU_WECHATPAY_APIV3_KEY must be 32 bytes")
        if bool(self.public_key) != bool(self.public_key_id):
            problems.append("ANJU_WECHATPAY_PUBLIC_KEY and ANJU_WECHATPAY_PUBLIC_KEY_ID go together")
        if not self.gateway.startswith(("https://", "http://")):
            problems.append("ANJU_WECHATPAY_GATEWAY must be an http(s) URL")
        for name, text, load in [
            ("PRIVATE_KEY", self.private_key, load_private_key),
            ("PUBLIC_KEY", self.public_key, load_public_key),
        ]:
            if text:
                try:
                    load(text)
                except Exception:
                    problems.append(f"ANJU_WECHATPAY_{name} is not a PEM key")
        if problems:
            raise ImproperlyConfigured("WeChat Pay: " + "; ".join(problems))


def backend_from_settings() -> WeChatPayBackend:
    """The backend for the current settings (one per configuration, so its client is reused)."""
    return _backend_for(WeChatPayConfig.from_settings())


@functools.lru_cache(maxsize=4)
def _backend_for(config: WeChatPayConfig) -> WeChatPayBackend:
    return WeChatPayBackend(config)


class _Malformed(Exception):
    """A field of the provider's JSON is missing or of the wrong type."""


class WeChatPayBackend(PaymentBackend):
    name = "wechatpay"
    online = True

    def __init__(self, config: WeChatPayConfig) -> None:
        config.check()
        self.config = config
        self._client: WeChatPay | None = None

    def describe(self) -> str:
        return gettext("Fees can be paid online with WeChat Pay, or at the front desk.")

    # --- calls ------------------------------------------------------------------------------

    def client(self) -> WeChatPay:
        """The wechatpayv3 client, made on first use (certificate mode downloads then)."""
        if self._client is None:
            c = self.config
            client = WeChatPay(
                wechatpay_type=WeChatPayType.NATIVE,
                mchid=c.mchid,
                private_key=c.private_key,
                cert_serial_no=c.cert_serial_no,
                appid=c.appid,
                apiv3_key=c.apiv3_key,
                cert_dir=c.cert_dir or None,
                logger=logger,
                timeout=c.timeout,
                public_key=c.public_key or None,
                public_key_id=c.public_key_id or None,
            )
            # wechatpayv3 has no gateway parameter: Core keeps it in `_gate_way` and joins it with
            # each request's path. Set after construction, so certificate mode downloads its first
            # certificates from the default gateway.
            client._core._gate_way = c.gateway
            self._client = client
        return self._client

    def _call(self, what: str, call: Callable[[WeChatPay], tuple[int, Any]]) -> tuple[int, Any]:
        """Run one wechatpayv3 call: (status, text) for 2xx, PaymentError for everything else."""
        try:
            status, text = call(self.client())
        except requests.RequestException as exc:
            logger.warning("WeChat Pay %s: network error: %s", what, exc)
            raise PaymentError(
                gettext("WeChat Pay cannot be reached, please try again later."), "NETWORK"
            ) from exc
        except Exception as exc:  # wechatpayv3 raises bare Exception (bad signature, no certificate)
            logger.warning("WeChat Pay %s: %s", what, exc)
            code = "SIGN_INVALID" if "signature" in str(exc) else "CLIENT_ERROR"
            raise PaymentError(gettext("WeChat Pay's answer could not be verified."), code) from exc
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        if not 200 <= status < 300:
            code, message = "", ""
            try:
                data = json.loads(text)
                if isinstance(data, dict):
                    code, message = str(data.get("code", "")), str(data.get("message", ""))
            except ValueError:
                pass
            logger.warning("WeChat Pay %s: HTTP %s %s %s", what, status, code, message or text[:200])
            raise PaymentError(
                message or gettext("WeChat Pay refused the request (HTTP %(status)s).") % {"status": status},
                code,
                status,
            )
        return status, text

    @staticmethod
    def _json(text: Any) -> dict[str, Any]:
        try:
            data = json.loads(text)
        except (TypeError, ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            raise PaymentError(gettext("WeChat Pay's answer could not be read."), "BAD_RESPONSE")
        return data

    def create_native_order(self, req: OrderRequest) -> OrderCreated:
        time_expire = req.expire_at.astimezone(CHINA).isoformat(timespec="seconds") if req.expire_at else None
        _, text = self._call(
            "create order",
            lambda client: client.pay(
                description=req.description,
                out_trade_no=req.out_trade_no,
                amount={"total": req.amount_fen, "currency": "CNY"},
                time_expire=time_expire,
                notify_url=req.notify_url,
                pay_type=WeChatPayType.NATIVE,
            ),
        )
        code_url = self._json(text).get("code_url")
        if not isinstance(code_url, str) or not code_url:
            raise PaymentError(gettext("WeChat Pay's answer could not be read."), "BAD_RESPONSE")
        return OrderCreated(out_trade_no=req.out_trade_no, code_url=code_url)

    def query_order(self, out_trade_no: str) -> OrderState:
        check_out_trade_no(out_trade_no)
        _, text = self._call("query order", lambda client: client.query(out_trade_no=out_trade_no))
        try:
            return OrderState(**_state_fields(self._json(text)))
        except _Malformed as exc:
            raise PaymentError(gettext("WeChat Pay's answer could not be read."), "BAD_RESPONSE") from exc

    def close_order(self, out_trade_no: str) -> None:
        check_out_trade_no(out_trade_no)
        self._call("close order", lambda client: client.close(out_trade_no=out_trade_no))

    # --- notifications ----------------------------------------------------------------------

    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        try:
            return self._verify_notification(headers, body)
        except BadNotification:
            raise
        except Exception as exc:  # hostile input must never be a 500
            logger.warning("WeChat Pay notification: unexpected %r", exc)
            raise BadNotification(f"malformed notification ({type(exc).__name__})") from exc

    def _verify_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        h = _notify_headers(headers)
        missing = [name for name in _NOTIFY_HEADERS if not h[name]]
        if missing:
            raise BadNotification(f"missing header {', '.join(missing)}")
        if h["Wechatpay-Signature-Type"] != SIGNATURE_TYPE:
            raise BadNotification(f"unsupported signature type {h['Wechatpay-Signature-Type'][:40]!r}")
        if not self._known_serial(h["Wechatpay-Serial"]):
            raise BadNotification(f"unknown serial {h['Wechatpay-Serial'][:64]!r}")
        stamp = h["Wechatpay-Timestamp"]
        if not re.fullmatch(r"[0-9]{1,10}", stamp):
            raise BadNotification("malformed timestamp")
        skew = abs(clock.now() - datetime.fromtimestamp(int(stamp), UTC))
        if skew > MAX_CLOCK_SKEW:
            raise BadNotification(f"timestamp too old or too new ({int(skew.total_seconds())} s off)")
        if isinstance(body, str):
            body = body.encode("utf-8")
        try:
            text = bytes(body).decode("utf-8")
        except (TypeError, UnicodeDecodeError) as exc:
            raise BadNotification("malformed body (not UTF-8)") from exc
        try:
            signed = self.client()._core._verify_signature(h, text)
        except Exception:
            signed = False
        if not signed:
            raise BadNotification("signature invalid")

        try:
            envelope = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise BadNotification("malformed body (not JSON)") from exc
        if not isinstance(envelope, dict) or not isinstance(envelope.get("resource"), dict):
            raise BadNotification("malformed body (no resource)")
        resource = envelope["resource"]
        if (
            envelope.get("resource_type") != "encrypt-resource"
            or resource.get("algorithm") != "AEAD_AES_256_GCM"
        ):
            raise BadNotification("malformed body (not an AEAD_AES_256_GCM resource)")
        parts = [resource.get(key, "") for key in ("nonce", "ciphertext", "associated_data")]
        if not all(isinstance(part, str) for part in parts) or not parts[0] or not parts[1]:
            raise BadNotification("malformed body (resource fields)")
        nonce, ciphertext, associated_data = parts
        try:
            plain = aes_decrypt(
                nonce=nonce,
                ciphertext=ciphertext,
                associated_data=associated_data,
                apiv3_key=self.config.apiv3_key,
            )
        except Exception:
            plain = None
        if not plain:
            raise BadNotification("undecryptable (check ANJU_WECHATPAY_APIV3_KEY)")
        try:
            data = json.loads(plain)
        except (ValueError, RecursionError) as exc:
            raise BadNotification("malformed resource (not JSON)") from exc
        event_type = envelope.get("event_type")
        event_id = envelope.get("id")
        if not isinstance(event_type, str) or not isinstance(event_id, str):
            raise BadNotification("malformed body (id, event_type)")
        if not event_type.startswith("TRANSACTION."):
            raise BadNotification(f"unsupported event type {event_type[:40]!r}")
        if not isinstance(data, dict) or data.get("mchid") != self.config.mchid:
            raise BadNotification("notification for another merchant id")
        try:
            fields = _state_fields(data)
        except _Malformed as exc:
            raise BadNotification(f"malformed resource ({exc})") from exc
        return Notification(**fields, event_id=event_id, event_type=event_type)

    def _known_serial(self, serial: str) -> bool:
        """The serial names our platform public key, or a platform certificate already loaded.

        A notification never makes us download certificates (hostile input would make us call
        WeChat); new certificates arrive through the answers to our own calls.
        """
        if self.config.public_key_mode:
            return serial == self.config.public_key_id
        if not re.fullmatch(r"[0-9A-Fa-f]{1,40}", serial):
            return False
        try:
            certificates = self.client()._core._certificates
        except Exception:
            return False
        return any(cert.serial_number == int(serial, 16) for cert in certificates)


def _notify_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The notification headers under their canonical names, from request.headers or request.META."""
    found: dict[str, str] = {}
    for key, value in headers.items():
        name = str(key).lower().replace("_", "-")
        name = name.removeprefix("http-")
        if isinstance(value, str):
            found[name] = value.strip()
    return {name: found.get(name.lower(), "") for name in _NOTIFY_HEADERS}


def _state_fields(data: dict[str, Any]) -> dict[str, Any]:
    """OrderState's fields from a transaction object (query answer or decrypted notification)."""
    out_trade_no = data.get("out_trade_no")
    trade_state = data.get("trade_state")
    if not isinstance(out_trade_no, str) or not out_trade_no:
        raise _Malformed("out_trade_no")
    if not isinstance(trade_state, str) or not trade_state:
        raise _Malformed("trade_state")
    transaction_id = data.get("transaction_id", "")
    if not isinstance(transaction_id, str):
        raise _Malformed("transaction_id")
    amount = data.get("amount")
    total = amount.get("total") if isinstance(amount, dict) else None
    if total is not None and (isinstance(total, bool) or not isinstance(total, int)):
        raise _Malformed("amount.total")
    paid_at = None
    success_time = data.get("success_time")
    if success_time:
        if not isinstance(success_time, str):
            raise _Malformed("success_time")
        try:
            parsed = datetime.fromisoformat(success_time)
        except ValueError as exc:
            raise _Malformed("success_time") from exc
        if parsed.tzinfo is None:
            raise _Malformed("success_time")
        paid_at = parsed.astimezone(UTC)
    return {
        "out_trade_no": out_trade_no,
        "trade_state": trade_state,
        "transaction_id": transaction_id,
        "amount_fen": total,
        "paid_at": paid_at,
    }
