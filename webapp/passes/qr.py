"""The pass's QR code: an inline SVG of its signed token (segno)."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe

from . import tokens
from .models import Pass


def qr_svg(gate_pass: Pass) -> SafeString:
    """The QR code of the pass's token as inline SVG (segno writes the markup; the token is
    letters, digits, ':', '-' and '_' only)."""
    token = tokens.token_for(gate_pass.code)
    svg = segno.make_qr(token, error="m").svg_inline(scale=6, border=2, title="通行证二维码")
    return mark_safe(svg)  # noqa: S308 (segno's own SVG of our own token)
