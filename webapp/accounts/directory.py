"""The engine's view of people (engine.directory), answered from this app's models; registered in
AccountsConfig.ready."""

from __future__ import annotations

from .models import Company, User, WorkGroup


class AccountsDirectory:
    def company_ids(self) -> list[int]:
        return list(Company.objects.values_list("pk", flat=True))

    def active_people(
        self, company_id: int, *, work_group: str | None = None, role: str | None = None, staff: bool = False
    ) -> list[User]:
        users = User.objects.filter(company_id=company_id, is_active=True)
        if work_group is not None:
            users = users.filter(work_groups__name=work_group)
        if role is not None:
            users = users.filter(groups__name=role)
        if staff:
            users = users.filter(is_staff=True)
        return list(users)

    def work_group_mailboxes(self, company_id: int, name: str) -> list[str] | None:
        group = WorkGroup.objects.filter(company_id=company_id, name=name).first()
        if group is None:
            return None
        addresses = [group.email] if group.email else []
        return addresses + [
            e for e in group.members.filter(is_active=True).values_list("email", flat=True) if e
        ]
