"""Directory login (LDAP/AD through django-auth-ldap): what a directory login changes on our user.

At each directory login (django-auth-ldap's populate_user signal) the user gets
- the company ANJU_LDAP_COMPANY (a company code), only when they have none yet;
- a display name from displayName, else cn (mobile and email come from AUTH_LDAP_USER_ATTR_MAP);
- exactly the roles (Django auth groups) that ANJU_LDAP_ROLE_MAP gives their directory groups, and
  exactly the work groups of their company that ANJU_LDAP_WORK_GROUP_MAP gives them. Only roles and
  work groups named in the maps are governed: one the user lost in the directory is removed, one
  the maps do not name (given by hand in the admin) is left alone.
Mapping never makes anyone staff or superuser. The maps are read from settings at each login.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import ldap.dn
from django.conf import settings
from django.contrib.auth.models import Group
from django.dispatch import receiver
from django_auth_ldap.backend import LDAPBackend, populate_user

from .models import SYSTEM_USERNAME_PREFIX, Company, User, WorkGroup

logger = logging.getLogger("webapp.accounts.ldap")


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap's backend that never signs anyone in as a local account.

    A directory entry whose username is that of an account with its own password, or of a staff
    or superuser account, is refused here (that account signs in with its own password through
    the next backend), so a directory `uid=admin` cannot become Anju's administrator.
    """

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username:
            name = self.ldap_to_django_username(username)
            local = User.objects.filter(username__iexact=name).first()
            if local is not None and (_has_own_password(local) or local.is_staff or local.is_superuser):
                return None
            if name.lower().startswith(SYSTEM_USERNAME_PREFIX):  # the owner channel's 业主端 accounts
                return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _has_own_password(user: User) -> bool:
    """A password one can sign in with (an empty one, or set_unusable_password's, is not)."""
    return bool(user.password) and user.has_usable_password()


def normalize_dn(dn: str) -> str:
    """A DN in one spelling: lower case, no blanks around separators (DNs compare case-insensitively)."""
    try:
        return ldap.dn.dn2str(ldap.dn.str2dn(dn.strip())).lower()
    except ldap.DECODING_ERROR:
        return dn.strip().lower()


def _names(value: Any) -> list[str]:
    """A map value: one name or a list of names."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return []


def mapped_names(group_map: Mapping[str, Any], group_dns: Iterable[str]) -> tuple[set[str], set[str]]:
    """(every name the map governs, the names the given directory groups give)."""
    by_dn: dict[str, set[str]] = {}
    for dn, value in group_map.items():
        by_dn.setdefault(normalize_dn(dn), set()).update(_names(value))
    governed = set().union(*by_dn.values()) if by_dn else set()
    given: set[str] = set()
    for dn in group_dns:
        given |= by_dn.get(normalize_dn(dn), set())
    return governed, given


def _first(attrs: Mapping[str, list[str]] | None, *names: str) -> str:
    for name in names:
        values = (attrs or {}).get(name) or (attrs or {}).get(name.lower()) or []
        if values and str(values[0]).strip():
            return str(values[0]).strip()
    return ""


def _fit(user: User, field: str) -> None:
    """Cut a directory value to the column (PostgreSQL refuses what does not fit)."""
    max_length = User._meta.get_field(field).max_length
    value = getattr(user, field) or ""
    if max_length and len(value) > max_length:
        setattr(user, field, value[:max_length])


def _roles(names: set[str]) -> dict[str, Group]:
    found = {g.name: g for g in Group.objects.filter(name__in=names)}
    missing = names - found.keys()
    if missing:
        from .demo import ROLES, ensure_roles

        if missing & ROLES.keys():  # our roles, not yet created (anju_setup --no-demo): create them
            ensure_roles()
            found = {g.name: g for g in Group.objects.filter(name__in=names)}
        for name in sorted(names - found.keys()):
            logger.warning("ANJU_LDAP_ROLE_MAP names role %r, which does not exist", name)
    return found


def sync_user(user: User, attrs: Mapping[str, list[str]] | None, group_dns: Iterable[str] | None) -> None:
    """Apply the directory's view of `user` (saved first if new: many-to-many needs a primary key)."""
    user.display_name = _first(attrs, "displayName", "cn") or user.display_name
    for field in ("display_name", "mobile", "email"):
        _fit(user, field)
    if user.company_id is None and settings.ANJU_LDAP_COMPANY:
        company = Company.objects.filter(code=settings.ANJU_LDAP_COMPANY).first()
        if company is None:
            logger.warning("ANJU_LDAP_COMPANY %r is not a company code", settings.ANJU_LDAP_COMPANY)
        user.company = company
    if user.pk is None:
        user.save()

    role_map, work_group_map = settings.ANJU_LDAP_ROLE_MAP, settings.ANJU_LDAP_WORK_GROUP_MAP
    if group_dns is None:  # no group search configured: roles and work groups stay as they are
        return
    group_dns = list(group_dns)

    governed, given = mapped_names(role_map, group_dns)
    if governed:
        roles = _roles(governed)
        current = set(user.groups.filter(name__in=governed).values_list("name", flat=True))
        user.groups.remove(*(roles[n] for n in current - given if n in roles))
        user.groups.add(*(roles[n] for n in given - current if n in roles))

    governed, given = mapped_names(work_group_map, group_dns)
    if governed and user.company_id is not None:
        work_groups = {
            g.name: g for g in WorkGroup.objects.filter(company_id=user.company_id, name__in=governed)
        }
        for name in sorted(given - work_groups.keys()):
            logger.warning(
                "work group %r of ANJU_LDAP_WORK_GROUP_MAP is not in company %s", name, user.company
            )
        current = set(user.work_groups.filter(name__in=governed).values_list("name", flat=True))
        user.work_groups.remove(*(work_groups[n] for n in current - given if n in work_groups))
        user.work_groups.add(*(work_groups[n] for n in given - current if n in work_groups))
        user.forget_group_names()
    elif governed and given:
        logger.warning("directory user %s has no company: work groups not set", user.username)


@receiver(populate_user, sender=DirectoryBackend)
def on_directory_login(sender: type, user: User, ldap_user: Any, **kwargs: Any) -> None:
    group_dns = ldap_user.group_dns if ldap_user.settings.GROUP_SEARCH is not None else None
    sync_user(user, ldap_user.attrs, group_dns)
