"""People, companies and work groups as the engine sees them.

The engine owns no people: companies, users and work groups are models of webapp.accounts, which
sits above the engine. What the engine needs of them (who hears of an SLA event, a work group's
mailbox, the companies whose audit chains to verify) it asks through this small interface, which
webapp.accounts fills in its AppConfig.ready (as apps register adapters and hooks). Foreign keys
name the models by string ("accounts.Company", settings.AUTH_USER_MODEL) and need nothing here.
"""

from __future__ import annotations

from typing import Any, Protocol


class Directory(Protocol):
    def company_ids(self) -> list[int]:
        """The ids of every company."""
        ...

    def active_people(
        self, company_id: int, *, work_group: str | None = None, role: str | None = None, staff: bool = False
    ) -> list[Any]:
        """The company's active users; only members of `work_group`, holders of `role` (a role
        group's name) or staff (company administrators) when given."""
        ...

    def work_group_mailboxes(self, company_id: int, name: str) -> list[str] | None:
        """The e-mail addresses of the company's work group `name`: its own mailbox, then its
        active members' (none when it has neither); None when the company has no such group."""
        ...


_directory: Directory | None = None


def register(directory: Directory) -> None:
    global _directory
    _directory = directory


def get() -> Directory:
    if _directory is None:  # webapp.accounts registers it when the apps are ready
        raise LookupError("no people directory is registered (is webapp.accounts installed?)")
    return _directory
