"""The payment adapter: WeChat Pay API v3 against the local v3 server, and the offline default.

The server (v3server.py) checks our request signatures and signs its answers as WeChat Pay does;
the engine clock is frozen (tests/conftest.py), so notifications are signed at clock.now().
"""

from __future__ import annotations

import base64
import json
import random
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from engine import clock
from webapp.payments.backends import (
    BadNotification,
    Notification,
    OrderRequest,
    PaymentError,
    PaymentUnavailable,
    get_backend,
)
from webapp.payments.offline import OfflineBackend
from webapp.payments.wechat import WeChatPayBackend

from .v3server import V3Server, private_pem

NOTIFY_URL = "https://anju.example.com/payments/wechat/notify"


def order(no: str = "FEE2026110001", amount_fen: int = 128_00, **kwargs: Any) -> OrderRequest:
    return OrderRequest(
        out_trade_no=no, amount_fen=amount_fen, description="滨海花园 3栋1单元1502 物业费 2026年11月",
        notify_url=NOTIFY_URL, **kwargs,
    )  # fmt: skip


def paid_order(server: V3Server, no: str = "FEE2026110001") -> None:
    get_backend().create_native_order(order(no))
    server.pay(no)


# --- orders ---------------------------------------------------------------------------------


def test_get_backend_is_wechatpay_when_configured(wechat_server: V3Server) -> None:
    backend = get_backend()
    assert isinstance(backend, WeChatPayBackend)
    assert backend.online and backend.name == "wechatpay"
    assert get_backend() is backend  # one client per configuration


def test_native_order_gives_a_code_url(wechat_server: V3Server) -> None:
    expire = clock.now() + timedelta(hours=2)
    created = get_backend().create_native_order(order(expire_at=expire))
    assert created.out_trade_no == "FEE2026110001"
    assert created.code_url.startswith("weixin://wxpay/bizpayurl?pr=")
    stored = wechat_server.orders["FEE2026110001"]
    assert (stored.total, stored.notify_url, stored.appid) == (12800, NOTIFY_URL, wechat_server.keys.appid)


def test_the_same_order_twice_gives_the_same_code_another_amount_is_refused(wechat_server: V3Server) -> None:
    backend = get_backend()
    first = backend.create_native_order(order())
    assert backend.create_native_order(order()).code_url == first.code_url
    with pytest.raises(PaymentError) as refused:
        backend.create_native_order(order(amount_fen=99_00))
    assert (refused.value.code, refused.value.status, str(refused.value)) == (
        "OUT_TRADE_NO_USED",
        400,
        "商户订单号重复",
    )


def test_query_is_notpay_then_success_once_paid(wechat_server: V3Server) -> None:
    backend = get_backend()
    backend.create_native_order(order())
    state = backend.query_order("FEE2026110001")
    assert (state.trade_state, state.transaction_id, state.amount_fen, state.paid_at) == (
        "NOTPAY",
        "",
        12800,
        None,
    )
    assert not state.paid
    wechat_server.pay("FEE2026110001")
    state = backend.query_order("FEE2026110001")
    assert state.paid and state.trade_state == "SUCCESS"
    assert state.transaction_id == wechat_server.orders["FEE2026110001"].transaction_id != ""
    assert state.amount_fen == 12800
    assert state.paid_at == clock.now() and state.paid_at.tzinfo == UTC


def test_closing_an_unpaid_order(wechat_server: V3Server) -> None:
    backend = get_backend()
    backend.create_native_order(order())
    backend.close_order("FEE2026110001")
    assert backend.query_order("FEE2026110001").trade_state == "CLOSED"
    with pytest.raises(PaymentError) as closed:
        backend.create_native_order(order())
    assert closed.value.code == "ORDER_CLOSED"


def test_a_paid_order_cannot_be_closed(wechat_server: V3Server) -> None:
    paid_order(wechat_server)
    with pytest.raises(PaymentError) as refused:
        get_backend().close_order("FEE2026110001")
    assert (refused.value.code, str(refused.value)) == ("ORDERPAID", "订单已支付")


def test_an_unknown_order(wechat_server: V3Server) -> None:
    with pytest.raises(PaymentError) as unknown:
        get_backend().query_order("NOSUCHORDER1")
    assert (unknown.value.code, unknown.value.status) == ("ORDER_NOT_EXIST", 404)


def test_a_provider_error_is_a_payment_error_with_its_message(wechat_server: V3Server) -> None:
    wechat_server.fail_next = (500, "SYSTEM_ERROR", "系统错误")
    with pytest.raises(PaymentError) as failed:
        get_backend().create_native_order(order())
    assert (failed.value.code, failed.value.status, str(failed.value)) == ("SYSTEM_ERROR", 500, "系统错误")


def test_an_answer_with_a_bad_signature_is_a_payment_error(wechat_server: V3Server) -> None:
    backend = get_backend()
    backend.create_native_order(order())
    wechat_server.tamper_responses = True
    for call in (
        lambda: backend.create_native_order(order()),
        lambda: backend.query_order("FEE2026110001"),
        lambda: backend.close_order("FEE2026110001"),
    ):
        with pytest.raises(PaymentError) as unverified:
            call()
        assert unverified.value.code == "SIGN_INVALID"
    assert wechat_server.orders["FEE2026110001"].trade_state == "CLOSED"  # the close itself went through


def test_a_request_signed_with_another_key_is_refused(wechat_server: V3Server, settings: Any) -> None:
    settings.ANJU_WECHATPAY_PRIVATE_KEY = private_pem(wechat_server.keys.platform)
    with pytest.raises(PaymentError) as refused:
        get_backend().create_native_order(order())
    assert (refused.value.code, refused.value.status) == ("SIGN_ERROR", 401)
    assert wechat_server.orders == {}


def test_an_unreachable_gateway_is_a_payment_error(wechat_server: V3Server, settings: Any) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.ANJU_WECHATPAY_GATEWAY = f"http://127.0.0.1:{port}"
    with pytest.raises(PaymentError) as unreachable:
        get_backend().query_order("FEE2026110001")
    assert unreachable.value.code == "NETWORK" and unreachable.value.status is None


def test_order_numbers_and_amounts_are_checked_before_any_call() -> None:
    for bad in ("short", "has space 123", "../../v3/x", "x" * 33):
        with pytest.raises(ValueError, match="out_trade_no"):
            order(bad)
    for amount in (0, -1, True, 1.5):
        with pytest.raises(ValueError, match="amount_fen"):
            order(amount_fen=amount)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="expire_at"):
        order(expire_at=datetime(2026, 12, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="notify_url"):
        OrderRequest("FEE2026110001", 100, "物业费", "http://anju.example.com/notify")


# --- notifications --------------------------------------------------------------------------


def test_a_good_notification(wechat_server: V3Server) -> None:
    paid_order(wechat_server)
    headers, body = wechat_server.notification("FEE2026110001")
    note = get_backend().verify_notification(headers, body)
    assert isinstance(note, Notification)
    assert note.event_type == "TRANSACTION.SUCCESS" and note.event_id == json.loads(body)["id"]
    assert (note.out_trade_no, note.trade_state, note.amount_fen) == ("FEE2026110001", "SUCCESS", 12800)
    assert note.transaction_id == wechat_server.orders["FEE2026110001"].transaction_id
    assert note.paid_at == clock.now()


def test_a_notification_from_django_meta_or_lowercase_headers(wechat_server: V3Server) -> None:
    paid_order(wechat_server)
    headers, body = wechat_server.notification("FEE2026110001")
    meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    lower = {name.lower(): value for name, value in headers.items()}
    backend = get_backend()
    assert backend.verify_notification(meta, body).trade_state == "SUCCESS"
    assert backend.verify_notification(lower, body).trade_state == "SUCCESS"


def test_a_notification_within_five_minutes_is_accepted(wechat_server: V3Server) -> None:
    paid_order(wechat_server)
    headers, body = wechat_server.notification("FEE2026110001")
    clock.advance(timedelta(minutes=4, seconds=59))
    assert get_backend().verify_notification(headers, body).paid


def _signed(server: V3Server, body: str) -> tuple[dict[str, str], bytes]:
    """A body of our own, signed with the platform key (passes the signature, fails later)."""
    return server._signature_headers(body), body.encode()


def _bad_signature(headers: dict[str, str]) -> dict[str, str]:
    signature = bytearray(base64.b64decode(headers["Wechatpay-Signature"]))
    signature[10] ^= 1
    return headers | {"Wechatpay-Signature": base64.b64encode(bytes(signature)).decode()}


HOSTILE = {
    "tampered body": (lambda s: s.notification("FEE2026110001", tamper=True), "signature invalid"),
    "tampered signature": (
        lambda s: (lambda h, b: (_bad_signature(h), b))(*s.notification("FEE2026110001")),
        "signature invalid",
    ),
    "signature not base64": (
        lambda s: (lambda h, b: (h | {"Wechatpay-Signature": "%%%"}, b))(*s.notification("FEE2026110001")),
        "signature invalid",
    ),
    "wrong serial": (
        lambda s: s.notification("FEE2026110001", serial="PUB_KEY_ID_0119000001092025010199999999"),
        "unknown serial",
    ),
    "certificate serial in public-key mode": (
        lambda s: s.notification("FEE2026110001", serial="5157F09EFDC096DE15EBE81A47057A7232F1B8E1"),
        "unknown serial",
    ),
    "stale timestamp": (
        lambda s: s.notification("FEE2026110001", timestamp=int(clock.now().timestamp()) - 301),
        "timestamp too old",
    ),
    "future timestamp": (
        lambda s: s.notification("FEE2026110001", timestamp=int(clock.now().timestamp()) + 301),
        "timestamp too old",
    ),
    "timestamp not a number": (
        lambda s: (lambda h, b: (h | {"Wechatpay-Timestamp": "1e9"}, b))(*s.notification("FEE2026110001")),
        "malformed timestamp",
    ),
    "wrong APIv3 key": (
        lambda s: s.notification("FEE2026110001", apiv3_key="0" * 32),
        "undecryptable",
    ),
    "missing headers": (lambda s: ({}, s.notification("FEE2026110001")[1]), "missing header"),
    "another signature type": (
        lambda s: (lambda h, b: (h | {"Wechatpay-Signature-Type": "SM2"}, b))(
            *s.notification("FEE2026110001")
        ),
        "unsupported signature type",
    ),
    "garbage body": (lambda s: (s.notification("FEE2026110001")[0], b"\x00garbage{"), "signature invalid"),
    "not UTF-8": (lambda s: (s.notification("FEE2026110001")[0], b"\xff\xfe"), "not UTF-8"),
    "signed garbage JSON": (lambda s: _signed(s, "{not json"), "not JSON"),
    "signed JSON list": (lambda s: _signed(s, "[1, 2]"), "no resource"),
    "signed deep JSON": (lambda s: _signed(s, "[" * 100_000), "not JSON"),
    "signed plain resource": (
        lambda s: _signed(s, json.dumps({"resource_type": "plain", "resource": {"algorithm": "x"}})),
        "not an AEAD_AES_256_GCM resource",
    ),
    "signed bad ciphertext": (
        lambda s: _signed(
            s,
            json.dumps(
                {
                    "id": "EV-1",
                    "event_type": "TRANSACTION.SUCCESS",
                    "resource_type": "encrypt-resource",
                    "resource": {
                        "algorithm": "AEAD_AES_256_GCM",
                        "nonce": "n",
                        "ciphertext": "!!",
                        "associated_data": 1,
                    },
                }
            ),
        ),
        "resource fields",
    ),
    "signed short nonce": (
        lambda s: _signed(
            s,
            json.dumps(
                {
                    "id": "EV-1",
                    "event_type": "TRANSACTION.SUCCESS",
                    "resource_type": "encrypt-resource",
                    "resource": {"algorithm": "AEAD_AES_256_GCM", "nonce": "n", "ciphertext": "!!"},
                }
            ),
        ),
        "undecryptable",
    ),
    "another merchant": (
        lambda s: s.notification(
            "FEE2026110001", resource=s.transaction(s.orders["FEE2026110001"]) | {"mchid": "1"}
        ),
        "another merchant id",
    ),
    "resource without trade state": (
        lambda s: s.notification(
            "FEE2026110001", resource={"mchid": s.keys.mchid, "out_trade_no": "FEE2026110001"}
        ),
        "malformed resource (trade_state)",
    ),
    "resource with a naive success time": (
        lambda s: s.notification(
            "FEE2026110001",
            resource=s.transaction(s.orders["FEE2026110001"]) | {"success_time": "2026-11-27T09:00:00"},
        ),
        "malformed resource (success_time)",
    ),
    "refund event": (
        lambda s: s.notification("FEE2026110001", event_type="REFUND.SUCCESS"),
        "unsupported event type",
    ),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_notification_is_a_bad_notification(wechat_server: V3Server, case: str) -> None:
    paid_order(wechat_server)
    make, reason = HOSTILE[case]
    headers, body = make(wechat_server)
    with pytest.raises(BadNotification, match=reason.replace("(", r"\(").replace(")", r"\)")):
        get_backend().verify_notification(headers, body)


def test_a_mangled_notification_is_only_ever_a_bad_notification(wechat_server: V3Server) -> None:
    paid_order(wechat_server)
    headers, body = wechat_server.notification("FEE2026110001")
    backend = get_backend()
    rng = random.Random(15)
    for _ in range(60):
        mangled = bytearray(body)
        for _ in range(rng.randint(1, 4)):
            mangled[rng.randrange(len(mangled))] = rng.randrange(256)
        hostile_headers = dict(headers)
        name = rng.choice(list(headers))
        hostile_headers[name] = rng.choice(["", "\x00", "-1", "9" * 40, headers[name][::-1]])
        for candidate in ((headers, bytes(mangled)), (hostile_headers, body)):
            with pytest.raises(BadNotification):
                backend.verify_notification(*candidate)
    assert not wechat_server.requests[1:]  # a notification never makes us call WeChat


# --- certificate mode -----------------------------------------------------------------------


def test_certificate_mode_with_the_certificates_in_a_directory(
    wechat_server: V3Server, settings: Any, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives import serialization

    keys = wechat_server.keys
    (tmp_path / f"{keys.certificate_serial}.pem").write_bytes(
        keys.certificate.public_bytes(serialization.Encoding.PEM)
    )
    settings.ANJU_WECHATPAY_PUBLIC_KEY = ""
    settings.ANJU_WECHATPAY_PUBLIC_KEY_ID = ""
    settings.ANJU_WECHATPAY_CERT_DIR = str(tmp_path)
    wechat_server.certificate_mode = True
    backend = get_backend()
    assert backend.create_native_order(order()).code_url
    wechat_server.pay("FEE2026110001")
    assert backend.query_order("FEE2026110001").paid
    assert backend.verify_notification(*wechat_server.notification("FEE2026110001")).paid
    with pytest.raises(BadNotification, match="unknown serial"):
        backend.verify_notification(*wechat_server.notification("FEE2026110001", serial=keys.public_key_id))
    assert all(path != "/v3/certificates" for _, path in wechat_server.requests)


# --- configuration and the offline default ---------------------------------------------------


def test_the_default_is_offline_and_says_so(settings: Any) -> None:
    del settings.ANJU_PAYMENT_BACKEND
    backend = get_backend()
    assert isinstance(backend, OfflineBackend) and not backend.online and backend.name == "offline"
    with translation.override("zh-hans"):
        assert "前台" in backend.describe()
        for call in (
            lambda: backend.create_native_order(order()),
            lambda: backend.query_order("FEE2026110001"),
            lambda: backend.close_order("FEE2026110001"),
        ):
            with pytest.raises(PaymentUnavailable, match="在线支付未配置"):
                call()
    with pytest.raises(BadNotification):
        backend.verify_notification({}, b"{}")


def test_a_half_configured_wechatpay_is_improperly_configured(wechat_server: V3Server, settings: Any) -> None:
    settings.ANJU_WECHATPAY_APIV3_KEY = "short"
    settings.ANJU_WECHATPAY_PUBLIC_KEY_ID = ""
    settings.ANJU_WECHATPAY_MCHID = ""
    with pytest.raises(ImproperlyConfigured) as improper:
        get_backend()
    message = str(improper.value)
    assert "MCHID is empty" in message and "32 bytes" in message and "go together" in message
    settings.ANJU_PAYMENT_BACKEND = "alipay"
    with pytest.raises(ImproperlyConfigured, match="one of offline, wechatpay"):
        get_backend()
