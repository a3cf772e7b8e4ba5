"""Who the engine records when a resident acts from /my/.

Residents are not Django users, but flows record a starter and every task a completer. Each
company has one account for its owner channel, `owner-app-<company id>` named 业主端: it starts
the flows a resident starts (业主身份认证, 报事报修, 投诉建议) and completes the steps a resident
completes. Nobody signs in as it (unusable password, no work group, no right); the engine gets an
in-memory copy named for the resident (owner_actor.acting_for), so the audit trail reads
"周业主（业主端）".
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from webapp.accounts.models import SYSTEM_USERNAME_PREFIX, User

DISPLAY_NAME = "业主端"


def username(company_id: int) -> str:
    return f"{SYSTEM_USERNAME_PREFIX}{company_id}"


def channel_user(company_id: int) -> User:
    """The company's owner-channel account, created on first use (safe under concurrency)."""
    name = username(company_id)
    found = User.objects.filter(username=name).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            user = User(username=name, company_id=company_id, display_name=DISPLAY_NAME, is_active=True)
            user.set_unusable_password()
            user.save()
            return user
    except IntegrityError:  # created meanwhile by another request
        return User.objects.get(username=name)


def acting_as(company_id: int, name: str) -> User:
    """The company's account as an in-memory copy named for the person acting: "周业主（业主端）"."""
    actor = channel_user(company_id)
    actor.display_name = f"{name}（{DISPLAY_NAME}）"[:100]
    return actor
