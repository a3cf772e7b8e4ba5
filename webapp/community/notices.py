"""Writes of community notices: publish (`do_publish_notice`), change (`do_change_notice`),
withdraw (`do_withdraw_notice`), each audited; a resident's read (`do_record_read`, once per
mobile and notice); and the read counts of the staff pages (`read_counts`).

A body is checked whole first (`check_notice`: FormInvalid with every field's error, a 400);
nothing is saved unless all of it is valid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import audit, clock
from engine.errors import Conflict, FormInvalid, checked_text
from engine.ids import parse_id
from engine.models.audit import AuditAction
from webapp.accounts.models import Project
from webapp.realestate.models import Building

from . import access
from .audience import residents_of
from .models import Notice, NoticeRead

TITLE_MAX = 100
BODY_MAX = 5000
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


class Errors(dict[str, list[str]]):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


@dataclass(frozen=True)
class NoticeInput:
    project: Project
    buildings: list[Building]
    title: str
    body: str
    publish_at: dt.datetime
    ends_on: dt.date | None


def read_datetime(value: Any, name: str, errors: Errors) -> dt.datetime | None:
    """A local date and time (2026-12-08T09:30, or with a space) in the site's time zone, as an
    aware datetime; empty: now."""
    text = str(value or "").strip()
    if not text:
        return clock.now()
    try:
        moment = dt.datetime.fromisoformat(text[:19].replace(" ", "T")) if len(text) <= 25 else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is not None or not EARLIEST <= moment.date() <= LATEST:
        errors.add(name, _("Enter a date and time such as 2026-12-08 09:30."))
        return None
    return timezone.make_aware(moment)


def read_date(value: Any, name: str, errors: Errors) -> dt.date | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        errors.add(name, _("Enter a date such as 2026-12-01."))
        return None
    return day


def _project(user: Any, value: Any, errors: Errors) -> Project | None:
    number = parse_id(value)
    project = access.projects_of(user).filter(pk=number).first() if number else None
    if project is None:
        errors.add("project", _("Choose an estate of your company."))
    return project


def _buildings(project: Project | None, values: list[Any], errors: Errors) -> list[Building]:
    numbers = {parse_id(v) for v in values if str(v).strip()}
    if not numbers or project is None:
        if None in numbers:
            errors.add("buildings", _("Choose buildings of the estate."))
        return []
    found = list(Building.objects.filter(pk__in=[n for n in numbers if n], phase__project=project))
    if None in numbers or len(found) != len(numbers):
        errors.add("buildings", _("Choose buildings of the estate."))
    return sorted(found, key=lambda b: b.pk)


def check_notice(user: Any, body: dict[str, Any], buildings: list[Any]) -> NoticeInput:
    """The notice the body describes: project, buildings (none: the whole estate), title, body,
    publish_at (empty: now), ends_on (optional, not before the publishing day)."""
    access.check_may_publish(user)
    errors = Errors()
    project = _project(user, body.get("project"), errors)
    chosen = _buildings(project, buildings, errors)
    title = checked_text(body.get("title"), "title")
    text = checked_text(body.get("body"), "body")
    if not title:
        errors.add("title", _("Enter a title."))
    elif len(title) > TITLE_MAX:
        errors.add("title", _("At most %(n)d characters.") % {"n": TITLE_MAX})
    if not text:
        errors.add("body", _("Enter the text of the notice."))
    elif len(text) > BODY_MAX:
        errors.add("body", _("At most %(n)d characters.") % {"n": BODY_MAX})
    publish_at = read_datetime(body.get("publish_at"), "publish_at", errors)
    ends_on = read_date(body.get("ends_on"), "ends_on", errors)
    if publish_at and ends_on and ends_on < timezone.localdate(publish_at):
        errors.add("ends_on", _("The end date is before the publishing day."))
    if errors:
        raise FormInvalid(errors)
    assert project is not None and publish_at is not None
    return NoticeInput(project, chosen, title, text, publish_at, ends_on)


def _audit(user: Any, notice: Notice, what: str, **details: Any) -> None:
    audit.event(
        AuditAction.UPDATE_DATA, instance=None, actor=user, company_id=notice.company_id,
        element_id=f"community.notice:{notice.pk}",
        details={"notice": notice.pk, "title": notice.title, "project": notice.project.name, "action": what,
                 **details},
    ).save()  # fmt: skip


def _summary(found: NoticeInput) -> dict[str, Any]:
    return {
        "buildings": [b.name for b in found.buildings],
        "publish_at": found.publish_at.isoformat(),
        "ends_on": found.ends_on.isoformat() if found.ends_on else None,
    }


def do_publish_notice(user: Any, body: dict[str, Any], buildings: list[Any]) -> Notice:
    found = check_notice(user, body, buildings)
    now = clock.now()
    with transaction.atomic():
        notice = Notice.objects.create(
            company_id=found.project.company_id, project=found.project, title=found.title, body=found.body,
            publish_at=found.publish_at, ends_on=found.ends_on, created_at=now, created_by=user,
            updated_at=now, updated_by=user,
        )  # fmt: skip
        notice.buildings.set(found.buildings)
        _audit(user, notice, "publish", **_summary(found))
    return notice


def do_change_notice(user: Any, notice: Notice, body: dict[str, Any], buildings: list[Any]) -> Notice:
    """Change a notice that is not withdrawn (its reads stay)."""
    found = check_notice(user, body, buildings)
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.withdrawn_at is not None:
            raise Conflict(_("This notice was withdrawn: it cannot be changed."))
        before = {"title": locked.title, "project": locked.project_id}
        Notice.objects.filter(pk=locked.pk).update(
            project=found.project, title=found.title, body=found.body, publish_at=found.publish_at,
            ends_on=found.ends_on, updated_at=clock.now(), updated_by=user,
        )  # fmt: skip
        locked.refresh_from_db()
        locked.buildings.set(found.buildings)
        _audit(user, locked, "change", before=before, **_summary(found))
    return locked


def do_withdraw_notice(user: Any, notice: Notice) -> Notice:
    """Withdraw a notice: residents no longer see it (a 404 for its page)."""
    access.check_may_publish(user)
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.withdrawn_at is not None:
            raise Conflict(_("This notice is already withdrawn."))
        Notice.objects.filter(pk=locked.pk).update(withdrawn_at=clock.now(), withdrawn_by=user)
        locked.refresh_from_db()
        _audit(user, locked, "withdraw")
    return locked


def do_record_read(notice: Notice, mobile: str) -> bool:
    """The resident with this verified mobile opened the notice; True the first time only."""
    try:
        with transaction.atomic():
            _row, created = NoticeRead.objects.get_or_create(
                notice=notice, mobile=mobile, defaults={"read_at": clock.now()}
            )
    except IntegrityError:  # the same resident's other tab a moment ago
        return False
    return created


def read_ids(mobile: str, notice_ids: list[int]) -> set[int]:
    """The ids among notice_ids this mobile has read."""
    return set(
        NoticeRead.objects.filter(mobile=mobile, notice_id__in=notice_ids).values_list("notice_id", flat=True)
    )


@dataclass(frozen=True)
class ReadCount:
    read: int  # residents of the targeted rooms who opened it
    audience: int  # residents of the targeted rooms (one per mobile)
    all_reads: int  # every read, also of people who have since moved out

    def percent(self) -> int:
        return round(100 * self.read / self.audience) if self.audience else 0


def read_counts(notices: list[Notice]) -> dict[int, ReadCount]:
    """notice id → how many of the current residents of its rooms read it, out of how many."""
    found: dict[int, ReadCount] = {}
    audiences: dict[tuple[int, tuple[int, ...]], set[str]] = {}
    for notice in notices:
        key = (notice.project_id, tuple(sorted(b.pk for b in notice.buildings.all())))
        if key not in audiences:
            audiences[key] = {p.mobile for p in residents_of(key[0], key[1])}
        audience = audiences[key]
        mobiles = set(NoticeRead.objects.filter(notice=notice).values_list("mobile", flat=True))
        found[notice.pk] = ReadCount(len(mobiles & audience), len(audience), len(mobiles))
    return found
