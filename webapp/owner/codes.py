"""Sign-in codes of the owner's channel: request one by SMS, then verify it.

- `check_mobile` reads a mainland mobile number (the notification adapter's phone rules,
  phonenumbers with region CN) as its 11 digits, or refuses it with a field error.
- `do_request_code` throttles, then writes a LoginCode (only the HMAC of the code) for EVERY valid
  number and queues its delivery after the commit. Whether the number is on file is decided by the
  delivery (`deliver_code`, a Celery task in production mode), never by the request: the request
  path, its answer and its timing are the same for a number on file and one that is not. Every
  valid number gets the SMS (template OWNER_LOGIN_CODE): only its holder reads it, and a person not
  on file yet signs in to ask the steward to link them (业主身份认证, verification.py).
- `do_verify_code` checks the newest code of the number: right, not expired (engine clock), not used,
  and fewer than ANJU_OWNER_CODE_MAX_ATTEMPTS wrong tries; the row is locked while it is checked, so
  parallel guesses are counted one by one.

Throttles (settings ANJU_OWNER_*): sends per number per minute and per hour, sends per client
address per hour, verifications per client address per hour. They count in the Django cache as the
staff login throttle does (webapp/accounts/throttle.py: atomic add/incr, Redis in production), in
fixed windows of the engine clock, so tests move time with the clock. A fixed window lets a burst
straddle its edge (two sends a second apart across a minute's edge); the hourly caps bound that.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from engine import clock
from engine.adapters import CallContext
from engine.adapters.registry import get_adapter
from engine.errors import FormInvalid
from webapp.accounts.throttle import client_ip
from webapp.realestate.models import Customer

from .models import LoginCode

logger = logging.getLogger(__name__)

TEMPLATE_ID = "OWNER_LOGIN_CODE"
TEMPLATES = [
    {
        "template_id": TEMPLATE_ID,
        "channel": "sms",
        "name": "业主端登录验证码",
        "subject": "",
        "content": "您的登录验证码为${code}，${minutes}分钟内有效。如非本人操作，请忽略本短信，切勿将验证码告诉他人。",
    },
]
PREFIX = "anju:owner"
MAX_MOBILE_TEXT = 40


# --- numbers ---------------------------------------------------------------------------------


def normalize(text: str) -> str | None:
    """A valid mainland mobile as its 11 digits (+86, spaces and dashes dropped), or None."""
    text = str(text or "").strip()[:MAX_MOBILE_TEXT]
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return None
    return str(number.national_number)


def check_mobile(text: Any) -> str:
    """The number's 11 digits, or FormInvalid on "mobile"."""
    mobile = normalize(str(text or ""))
    if mobile is None:
        raise FormInvalid({"mobile": [_("Enter a valid mobile number, e.g. 13800138000.")]})
    return mobile


def customers_with_mobile(mobile: str) -> list[Customer]:
    """Every customer (of any company) whose mobile is this number, however it was written."""
    candidates = Customer.objects.filter(mobile__endswith=mobile[-4:]).order_by("pk")
    return [c for c in candidates if normalize(c.mobile) == mobile]


# --- throttles -------------------------------------------------------------------------------


def _count(kind: str, value: str, window: int) -> tuple[int, int]:
    """Add one to the count of `value` in the current window of `window` seconds (engine clock);
    returns the new count and the seconds left in the window."""
    now = clock.now().timestamp()
    slot = int(now // window)
    digest = hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:40]
    key = f"{PREFIX}:{kind}:{window}:{digest}:{slot}"
    timeout = window + 60  # the real cache forgets the window soon after it ends
    if cache.add(key, 1, timeout=timeout):
        count = 1
    else:
        try:
            count = int(cache.incr(key))
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=timeout)
            count = 1
    return count, max(1, math.ceil((slot + 1) * window - now))


def _over(checks: list[tuple[str, str, int, int]]) -> int:
    """Count (kind, value, window, limit) in order; the seconds to wait at the first one over its
    limit (0: none). The later ones are not counted then: a refused address uses up no number's
    quota, so nobody can lock another's number out from a throttled address."""
    for kind, value, window, limit in checks:
        count, left = _count(kind, value, window)
        if count > limit:
            return left
    return 0


def throttled_message(seconds: int) -> str:
    if seconds < 120:
        return _("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": seconds}
    return _("Too many requests. Try again in %(minutes)s minutes.") % {"minutes": math.ceil(seconds / 60)}


class Throttled(Exception):
    def __init__(self, seconds: int) -> None:
        super().__init__(throttled_message(seconds))
        self.seconds = seconds


# --- codes -----------------------------------------------------------------------------------


def code_hash(mobile: str, code: str) -> str:
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, f"owner-login:{mobile}:{code}".encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def do_request_code(request: Any, mobile: str) -> None:
    """Throttle, then write a code for `mobile` (checked by check_mobile) and queue its delivery.
    Raises Throttled. Does the same whether or not the number is on file."""
    ip = client_ip(request)
    wait = _over(
        [
            ("send-ip", ip, 3600, settings.ANJU_OWNER_SENDS_PER_IP_HOUR),
            ("send-min", mobile, 60, settings.ANJU_OWNER_SENDS_PER_MINUTE),
            ("send-hour", mobile, 3600, settings.ANJU_OWNER_SENDS_PER_HOUR),
        ]
    )
    if wait:
        raise Throttled(wait)
    code = new_code()
    now = clock.now()
    with transaction.atomic():
        # a new code replaces the number's earlier ones
        LoginCode.objects.filter(mobile=mobile, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        row = LoginCode.objects.create(
            mobile=mobile,
            code_hash=code_hash(mobile, code),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.ANJU_OWNER_CODE_SECONDS),
        )
        _deliver_after_commit(row.pk, code)


def _deliver_after_commit(code_id: int, code: str) -> None:
    """The delivery after the commit: a Celery task in production mode (the request never learns
    whether the number is on file), inline in embedded mode and tests."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(lambda: deliver_code(code_id, code))
    else:
        from .tasks import deliver_code_task

        transaction.on_commit(lambda: deliver_code_task.delay(code_id, code))


def deliver_code(code_id: int, code: str) -> bool:
    """Send the code by SMS to its number; True when sent. The outbox row is the company's of a
    customer carrying the number, or no company's for a number not on file."""
    row = LoginCode.objects.filter(pk=code_id).first()
    if row is None or row.used_at is not None:
        return False
    customers = customers_with_mobile(row.mobile)
    found = get_adapter("notify/send_sms")
    if found is None:  # pragma: no cover - the engine registers it
        return False
    adapter, operation = found
    minutes = max(1, settings.ANJU_OWNER_CODE_SECONDS // 60)
    context = CallContext(
        idempotency_key=f"owner-login-code:{row.pk}",
        company_id=customers[0].company_id if customers else None,  # type: ignore[arg-type]
        instance_id=None,
    )
    params = {"to": row.mobile, "template": TEMPLATE_ID, "params": {"code": code, "minutes": minutes}}
    try:
        adapter.call(operation.name, params, context)
    except Exception:
        logger.exception("sign-in code %s not sent", row.pk)
        return False
    return True


@dataclass(frozen=True)
class Verified:
    mobile: str
    customer_ids: list[int]


def do_verify_code(request: Any, mobile: str, text: Any) -> Verified:
    """Check the code against the newest code of `mobile` and use it up. Raises FormInvalid on
    "code" (wrong, expired, used, too many tries) or Throttled (too many tries from the address)."""
    code = str(text or "").strip()
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise FormInvalid({"code": [_("Enter the 6 digits of the code.")]})
    wait = _over([("verify-ip", client_ip(request), 3600, settings.ANJU_OWNER_VERIFIES_PER_IP_HOUR)])
    if wait:
        raise Throttled(wait)
    now = clock.now()
    limit = int(settings.ANJU_OWNER_CODE_MAX_ATTEMPTS)
    with transaction.atomic():
        row = (
            LoginCode.objects.select_for_update().filter(mobile=mobile).order_by("-created_at", "-pk").first()
        )
        problem = None
        if row is None:
            problem = _("The code is wrong. Check the SMS or request a new code.")
        elif row.used_at is not None:
            problem = _("This code was used already. Request a new code.")
        elif row.attempts >= limit:
            problem = _("Too many wrong codes. Request a new code.")
        elif row.expires_at <= now:
            problem = _("This code has expired. Request a new code.")
        elif not hmac.compare_digest(row.code_hash, code_hash(mobile, code)):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            if row.attempts >= limit:
                problem = _("Too many wrong codes. Request a new code.")
            else:
                problem = _("The code is wrong. Check the SMS or request a new code.")
        if problem is not None:
            raise_later = FormInvalid({"code": [problem]})
        else:
            assert row is not None
            row.used_at = now
            row.save(update_fields=["used_at"])
            raise_later = None
    if raise_later is not None:  # after the block: the wrong try is committed
        raise raise_later
    return Verified(mobile, [c.pk for c in customers_with_mobile(mobile)])
