"""The booking link's token (自助预约): the pass's random code signed under a salt of its own, so the
address in the SMS names one 看房通行证 without holding its id, cannot be made up or altered, and is
not the gate's token (webapp.passes.tokens signs the same code under another salt)."""

from __future__ import annotations

from django.core import signing

SALT = "webapp.visits.booking"
MAX_TOKEN = 200


def booking_token(code: str) -> str:
    """The signed token of a pass's code for the public booking page."""
    return signing.Signer(salt=SALT).sign(code)


def code_of_booking_token(token: object) -> str | None:
    """The pass code a booking token was signed for; None for anything altered or made up."""
    text = str(token or "")
    if not text or len(text) > MAX_TOKEN:
        return None
    try:
        return signing.Signer(salt=SALT).unsign(text)
    except signing.BadSignature:
        return None
