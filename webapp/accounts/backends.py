"""Who may do what, kept per process between requests.

Every API call and page asks `user.has_perm`; Django's ModelBackend reads the user's and their
roles' permissions from the database for every request (two queries), and `group_names()` the work
groups (one more). Both change a few times a year, when an administrator edits a person, a role or a
work group. They are kept here per process (engine.stamped_cache) against one stamp in Django's
cache for all people: any such edit — a person saved or deleted, roles or work groups given or
taken, a role's permissions or a work group's name changed — replaces it, and every process reads
them afresh on the next request. A revoked right therefore stops working on the next request, in
every process, as before.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save

from engine.stamped_cache import StampedCache

EVERYONE = "everyone"  # one stamp for all people: a role's change concerns all its holders


def _permissions(user_id: int) -> frozenset[str]:
    from .models import User

    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return frozenset()
    return frozenset(ModelBackend().get_all_permissions(user))


def _group_names(user_id: int) -> tuple[str, ...]:
    from .models import WorkGroup

    return tuple(sorted(WorkGroup.objects.filter(members=user_id).values_list("name", flat=True)))


PERMISSIONS: StampedCache[int, frozenset[str]] = StampedCache("permissions", _permissions, stamp_key=EVERYONE)
GROUP_NAMES: StampedCache[int, tuple[str, ...]] = StampedCache(
    "work-groups", _group_names, stamp_key=EVERYONE
)


class CachedPermissionsBackend(ModelBackend):
    """ModelBackend (password sign-in, has_perm) with the permission sets from PERMISSIONS."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = set(PERMISSIONS.get(user_obj.pk))
        return user_obj._perm_cache  # type: ignore[no-any-return]


def _people_changed(*args: Any, **kwargs: Any) -> None:
    PERMISSIONS.forget(EVERYONE)
    GROUP_NAMES.forget(EVERYONE)


def connect() -> None:
    """Called from AccountsConfig.ready."""
    from .models import User, WorkGroup

    for model in (User, Group, Permission, WorkGroup):
        post_save.connect(_people_changed, sender=model, dispatch_uid=f"people-cache-save-{model.__name__}")
        post_delete.connect(
            _people_changed, sender=model, dispatch_uid=f"people-cache-delete-{model.__name__}"
        )
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through,
                    User.work_groups.through):  # fmt: skip
        m2m_changed.connect(
            _people_changed, sender=through, dispatch_uid=f"people-cache-m2m-{through.__name__}"
        )
