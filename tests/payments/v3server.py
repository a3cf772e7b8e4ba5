"""A local WeChat Pay API v3 server for tests: threaded http.server on 127.0.0.1, no network.

It speaks the protocol as WeChat Pay documents it (pay.weixin.qq.com/doc/v3):

* every request must carry ``Authorization: WECHATPAY2-SHA256-RSA2048 mchid="..",nonce_str="..",
  signature="..",timestamp="..",serial_no=".."``, the SHA256withRSA signature of
  ``METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n`` by the merchant key (401 SIGN_ERROR otherwise);
* every answer is signed by the platform key: Wechatpay-Serial (the public key id, or the
  platform certificate's serial in certificate mode), -Timestamp, -Nonce, -Signature (of
  ``TIMESTAMP\\nNONCE\\nBODY\\n``) and -Signature-Type;
* POST /v3/pay/transactions/native, GET /v3/pay/transactions/out-trade-no/{no}?mchid=..,
  POST /v3/pay/transactions/out-trade-no/{no}/close, GET /v3/certificates.

Test helpers: `pay(no)` (the payer pays), `notification(no, ...)` (a signed, encrypted
TRANSACTION.SUCCESS notification as WeChat posts it), `fail_next` (the next answer is an error)
and `tamper_responses` (answers are altered after signing).
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

from engine import clock

CHINA = timezone(timedelta(hours=8))
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def rsa_sign(key: rsa.RSAPrivateKey, message: str) -> str:
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def platform_certificate(key: rsa.RSAPrivateKey) -> x509.Certificate:
    """A self-signed platform certificate (certificate mode), valid a year around now."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA (test)")])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )


@dataclass
class V3Keys:
    """The keys of one test session: the merchant's, WeChat's platform key, the APIv3 key."""

    merchant: rsa.RSAPrivateKey
    platform: rsa.RSAPrivateKey
    certificate: x509.Certificate
    mchid: str = "1900000109"
    appid: str = "wxd678efh567hg6787"
    merchant_serial: str = "444F4864EA9B34415D2D7F8B1D6E2F4A6B7C8D9E"
    public_key_id: str = "PUB_KEY_ID_0119000001092025010100000000"
    apiv3_key: str = "a12d3924fd499edac8a5efc0f7f9d0ab"

    @classmethod
    def generate(cls) -> V3Keys:
        platform = new_rsa_key()
        return cls(merchant=new_rsa_key(), platform=platform, certificate=platform_certificate(platform))

    @property
    def certificate_serial(self) -> str:
        return format(self.certificate.serial_number, "X")


@dataclass
class Order:
    out_trade_no: str
    appid: str
    mchid: str
    description: str
    total: int
    notify_url: str
    code_url: str
    trade_state: str = "NOTPAY"
    transaction_id: str = ""
    success_time: str = ""


_STATE_DESC = {"NOTPAY": "订单未支付", "SUCCESS": "支付成功", "CLOSED": "订单已关闭"}
_AUTH = re.compile(r'(\w+)="([^"]*)"')


@dataclass
class V3Server:
    keys: V3Keys
    certificate_mode: bool = False  # answers signed under the certificate's serial
    orders: dict[str, Order] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path) received
    fail_next: tuple[int, str, str] | None = None  # (status, code, message) for the next answer
    tamper_responses: bool = False
    settings: dict[str, Any] = field(default_factory=dict)  # filled by the wechat_server fixture
    _httpd: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> V3Server:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._handle(self, "GET")

            def do_POST(self) -> None:
                server._handle(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def reset(self) -> None:
        """Forget orders, requests and faults (a new test)."""
        with self._lock:
            self.orders.clear()
            self.requests.clear()
            self.fail_next = None
            self.tamper_responses = False
            self.certificate_mode = False

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def serial(self) -> str:
        return self.keys.certificate_serial if self.certificate_mode else self.keys.public_key_id

    # --- test helpers -----------------------------------------------------------------------

    def pay(self, out_trade_no: str) -> Order:
        """The payer scans and pays: the order becomes SUCCESS with a transaction id."""
        with self._lock:
            order = self.orders[out_trade_no]
            order.trade_state = "SUCCESS"
            order.transaction_id = "42000" + uuid.uuid4().hex[:23]
            order.success_time = clock.now().astimezone(CHINA).isoformat(timespec="seconds")
            return order

    def transaction(self, order: Order) -> dict[str, Any]:
        """The order as the query API (and a notification's resource) shows it."""
        data: dict[str, Any] = {
            "amount": {"currency": "CNY", "payer_currency": "CNY", "total": order.total},
            "appid": order.appid,
            "mchid": order.mchid,
            "out_trade_no": order.out_trade_no,
            "promotion_detail": [],
            "trade_state": order.trade_state,
            "trade_state_desc": _STATE_DESC.get(order.trade_state, ""),
            "trade_type": "NATIVE",
        }
        if order.trade_state == "SUCCESS":
            data["amount"]["payer_total"] = order.total
            data.update(
                attach="",
                bank_type="OTHERS",
                payer={"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
                success_time=order.success_time,
                transaction_id=order.transaction_id,
            )
        return data

    def notification(
        self,
        out_trade_no: str,
        tamper: bool = False,
        *,
        timestamp: int | None = None,
        serial: str | None = None,
        apiv3_key: str | None = None,
        resource: dict[str, Any] | None = None,
        event_type: str = "TRANSACTION.SUCCESS",
    ) -> tuple[dict[str, str], bytes]:
        """(headers, body) of the notification WeChat posts once the order is paid.

        tamper: the body is changed after signing. The keyword arguments make other faults: an old
        timestamp, another serial, another APIv3 key, or a resource of our own.
        """
        if resource is None:
            resource = self.transaction(self.orders[out_trade_no])
        nonce = uuid.uuid4().hex[:12]  # AES-GCM nonce: 12 characters, as WeChat sends
        key = (apiv3_key or self.keys.apiv3_key).encode()
        plaintext = json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode()
        ciphertext = AESGCM(key).encrypt(nonce.encode(), plaintext, b"transaction")
        envelope = {
            "id": str(uuid.uuid4()),
            "create_time": clock.now().astimezone(CHINA).isoformat(timespec="seconds"),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "支付成功",
            "resource": {
                "original_type": "transaction",
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": "transaction",
                "nonce": nonce,
            },
        }
        body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
        stamp = str(timestamp if timestamp is not None else int(clock.now().timestamp()))
        headers = self._signature_headers(body, stamp, serial)
        if tamper:
            body = body.replace('"summary":"支付成功"', '"summary":"支付失败"')
        return headers, body.encode()

    # --- protocol ---------------------------------------------------------------------------

    def _signature_headers(
        self, body: str, stamp: str | None = None, serial: str | None = None
    ) -> dict[str, str]:
        stamp = stamp or str(int(clock.now().timestamp()))
        nonce = uuid.uuid4().hex.upper()
        return {
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Serial": serial or self.serial,
            "Wechatpay-Signature": rsa_sign(self.keys.platform, f"{stamp}\n{nonce}\n{body}\n"),
            "Wechatpay-Signature-Type": SIGNATURE_TYPE,
            "Wechatpay-Timestamp": stamp,
        }

    def _answer(self, handler: BaseHTTPRequestHandler, status: int, data: dict[str, Any] | None) -> None:
        body = "" if data is None else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        headers = self._signature_headers(body)
        if self.tamper_responses:
            body = body.replace("NOTPAY", "SUCCESS").replace("weixin://", "weixin://evil/")
            headers["Wechatpay-Nonce"] += "0"  # (a 204 has no body to change)
        raw = body.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(raw)))
        handler.send_header("Request-ID", uuid.uuid4().hex)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(raw)

    def _error(self, handler: BaseHTTPRequestHandler, status: int, code: str, message: str) -> None:
        self._answer(handler, status, {"code": code, "message": message})

    def _authorized(self, method: str, path: str, header: str, body: str) -> str | None:
        """None when the merchant signed the request, else what is wrong."""
        scheme, _, params = header.partition(" ")
        if scheme != SIGNATURE_TYPE:
            return "错误的签名类型"
        fields = dict(_AUTH.findall(params))
        if fields.get("mchid") != self.keys.mchid:
            return "商户号不匹配"
        if fields.get("serial_no") != self.keys.merchant_serial:
            return "商户证书序列号错误"
        stamp = fields.get("timestamp", "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > 300:
            return "请求时间戳过期"
        message = f"{method}\n{path}\n{stamp}\n{fields.get('nonce_str', '')}\n{body}\n"
        try:
            signature = base64.b64decode(fields.get("signature", ""), validate=True)
            self.keys.merchant.public_key().verify(
                signature, message.encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except (ValueError, InvalidSignature):
            return "签名错误"
        return None

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode() if length else ""
        path = handler.path
        self.requests.append((method, path))
        problem = self._authorized(method, path, handler.headers.get("Authorization", ""), body)
        if problem:
            return self._error(handler, 401, "SIGN_ERROR", problem)
        if self.fail_next is not None:
            status, code, message = self.fail_next
            self.fail_next = None
            return self._error(handler, status, code, message)
        split = urlsplit(path)
        query = parse_qs(split.query)
        with self._lock:
            if method == "POST" and split.path == "/v3/pay/transactions/native":
                return self._native(handler, json.loads(body or "{}"))
            if method == "GET" and split.path == "/v3/certificates":
                return self._certificates(handler)
            match = re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/]+)(/close)?", split.path)
            if match is None:
                return self._error(handler, 404, "NOT_FOUND", "资源不存在")
            order = self.orders.get(match.group(1))
            mchid = json.loads(body or "{}").get("mchid") if method == "POST" else query.get("mchid", [""])[0]
            if mchid != self.keys.mchid:
                return self._error(handler, 400, "PARAM_ERROR", "mchid参数错误")
            if order is None:
                return self._error(handler, 404, "ORDER_NOT_EXIST", "订单不存在")
            if method == "GET" and not match.group(2):
                return self._answer(handler, 200, self.transaction(order))
            if method == "POST" and match.group(2):
                if order.trade_state == "SUCCESS":
                    return self._error(handler, 400, "ORDERPAID", "订单已支付")
                order.trade_state = "CLOSED"
                return self._answer(handler, 204, None)
            return self._error(handler, 405, "METHOD_NOT_ALLOWED", "方法不允许")

    def _native(self, handler: BaseHTTPRequestHandler, data: dict[str, Any]) -> None:
        amount = data.get("amount") or {}
        required = ("appid", "mchid", "description", "out_trade_no", "notify_url")
        if any(not data.get(name) for name in required) or not isinstance(amount.get("total"), int):
            return self._error(handler, 400, "PARAM_ERROR", "参数错误")
        if data["mchid"] != self.keys.mchid or data["appid"] != self.keys.appid:
            return self._error(handler, 400, "PARAM_ERROR", "appid和mch_id不匹配")
        if not str(data["notify_url"]).startswith("https://"):
            return self._error(handler, 400, "PARAM_ERROR", "notify_url必须为https地址")
        if amount["total"] <= 0:
            return self._error(handler, 400, "PARAM_ERROR", "订单金额必须大于0")
        order = self.orders.get(data["out_trade_no"])
        if order is not None:
            if order.trade_state == "SUCCESS":
                return self._error(handler, 400, "ORDERPAID", "该订单已支付")
            if order.trade_state == "CLOSED":
                return self._error(handler, 400, "ORDER_CLOSED", "订单已关闭")
            if order.total != amount["total"] or order.description != data["description"]:
                return self._error(handler, 400, "OUT_TRADE_NO_USED", "商户订单号重复")
        else:
            order = Order(
                out_trade_no=data["out_trade_no"],
                appid=data["appid"],
                mchid=data["mchid"],
                description=data["description"],
                total=amount["total"],
                notify_url=data["notify_url"],
                code_url="weixin://wxpay/bizpayurl?pr=" + base64.urlsafe_b64encode(os.urandom(6)).decode(),
            )
            self.orders[order.out_trade_no] = order
        return self._answer(handler, 200, {"code_url": order.code_url})

    def _certificates(self, handler: BaseHTTPRequestHandler) -> None:
        """The platform certificate, encrypted with the APIv3 key (certificate mode)."""
        cert = self.keys.certificate
        pem = cert.public_bytes(serialization.Encoding.PEM)
        nonce = uuid.uuid4().hex[:12]
        ciphertext = AESGCM(self.keys.apiv3_key.encode()).encrypt(nonce.encode(), pem, b"certificate")
        entry = {
            "serial_no": self.keys.certificate_serial,
            "effective_time": cert.not_valid_before_utc.astimezone(CHINA).isoformat(),
            "expire_time": cert.not_valid_after_utc.astimezone(CHINA).isoformat(),
            "encrypt_certificate": {
                "algorithm": "AEAD_AES_256_GCM",
                "nonce": nonce,
                "associated_data": "certificate",
                "ciphertext": base64.b64encode(ciphertext).decode(),
            },
        }
        return self._answer(handler, 200, {"data": [entry]})
