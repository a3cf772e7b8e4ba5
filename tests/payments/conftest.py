"""Payment tests: a local WeChat Pay API v3 server (v3server.py) and settings that point at it.

The RSA keys are made once per session (2048-bit keygen is the slow part); the server runs once per
session on a free port of 127.0.0.1 and is emptied for each test. No network.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .v3server import V3Keys, V3Server, private_pem, public_pem


@pytest.fixture(scope="session")
def v3_keys() -> V3Keys:
    return V3Keys.generate()


def server_settings(keys: V3Keys, url: str) -> dict[str, Any]:
    return {
        "ANJU_PAYMENT_BACKEND": "wechatpay",
        "ANJU_WECHATPAY_MCHID": keys.mchid,
        "ANJU_WECHATPAY_APPID": keys.appid,
        "ANJU_WECHATPAY_CERT_SERIAL_NO": keys.merchant_serial,
        "ANJU_WECHATPAY_PRIVATE_KEY": private_pem(keys.merchant),
        "ANJU_WECHATPAY_APIV3_KEY": keys.apiv3_key,
        "ANJU_WECHATPAY_PUBLIC_KEY": public_pem(keys.platform),
        "ANJU_WECHATPAY_PUBLIC_KEY_ID": keys.public_key_id,
        "ANJU_WECHATPAY_CERT_DIR": "",
        "ANJU_WECHATPAY_GATEWAY": url,
        "ANJU_WECHATPAY_TIMEOUT_SECONDS": 5,
    }


@pytest.fixture(scope="session")
def v3_server(v3_keys: V3Keys) -> Iterator[V3Server]:
    server = V3Server(v3_keys).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def wechat_server(v3_server: V3Server, settings: Any) -> V3Server:
    """The v3 server with no orders (.keys, .settings, .pay(), .notification(), .fail_next, ...);
    Django settings point the "wechatpay" backend at it, in public-key mode."""
    v3_server.reset()
    v3_server.settings = server_settings(v3_server.keys, v3_server.url)
    for name, value in v3_server.settings.items():
        setattr(settings, name, value)
    return v3_server
