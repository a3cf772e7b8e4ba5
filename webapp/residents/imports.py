"""Excel import of residents (kind "residents"), through the master-data importer
(webapp.realestate.imports: upload → per-row report → nothing imported until the rows are fixed or
skipped → the good rows in one transaction; a re-run never imports a row twice).

A row names a room by its code (and the project when the code is not unique in the company),
the role (业主 / 租户 / 家庭成员), the person with the customer columns, and for a member the
householder's ID number (an owner or tenant of the same room, registered before or in an
earlier row). A person already on file (same ID) is linked, not created again; a person in
several rows (an owner of two rooms) is created once. Row errors: everything the customer rules
say (a resident ID's check digit …), an unknown or missing room, a duplicate (the person already a
current 业主/租户/成员 of the room, or twice in the file), and the period rules of residency.py.

Per chunk of rows the checks read what they need with a few queries (rooms of the company once,
customers and residencies by the chunk's ID numbers), never one query per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engine import clock
from forms.masks import CUSTOMER_FIELDS, ID
from forms.text import control_message
from webapp.realestate import customers as customer_rules
from webapp.realestate import imports as importer
from webapp.realestate.import_kinds import ImportKindSpec
from webapp.realestate.models import Customer, ImportKind

from . import residency as rules
from .access import MANAGE_RESIDENTS
from .models import HOUSEHOLDER_ROLES, Residency, Role, Source

Column = importer.Column

RESIDENT_COLUMNS = [
    Column("project", "项目代码", False, "房间代码在公司内重复时填写项目代码（或项目名称）", "binhai", True, ("项目",)),
    Column("room", "房间代码", True, "必须是已登记的房间（填写业主资料前必须选中房号）", "BH-3-1-1502", True, ("房号",)),
    Column("role", "身份", True, "业主、租户 或 家庭成员", "业主", False, ("客户身份", "住户类型")),
    Column("householder_id_number", "户主证件号码", False, "家庭成员填写：本房间业主或租户的证件号码（户主须在前面的行或已登记）", "", True),
    Column("relation", "与户主关系", False, "家庭成员填写，例如 配偶、子女、父母", ""),
    Column("started_on", "入住日期", False, "例如 2026-12-01；空为导入当天", "", True, ("起始日期", "登记日期")),
    *importer.CUSTOMER_COLUMNS,
]  # fmt: skip


@dataclass
class ResidentRow:
    room_id: int
    person: tuple[str, str]  # (id_type, id_number)
    values: dict[str, Any]  # the person's normalised customer fields
    role: str
    householder: tuple[str, str] | None  # a member's householder (id_type, id_number)
    relation: str
    started_on: Any


class ResidentImporter(importer._Importer):
    columns = RESIDENT_COLUMNS

    def __init__(self, job: Any) -> None:
        super().__init__(job)
        self.persons: dict[tuple[str, str], tuple[int, str]] = {}  # person → (first row, name)
        # (room, person, role) → first row: the file's own residencies so far (good rows only)
        self.file_residencies: dict[tuple[int, tuple[str, str], str], int] = {}
        self.file_heads: dict[tuple[int, str], Any] = {}  # (room, householder's ID number) → start date
        self.today = rules.today()

    # --- checking ------------------------------------------------------------------------------

    def _room(
        self, number: int, text: dict[str, str], outcome: importer.Outcome, role: str | None
    ) -> int | None:
        if not text["room"]:
            message = (
                _("A tenant needs a room: enter the room code.")
                if role == Role.TENANT
                else _("Enter the room code (residents are always registered to a room).")
            )
            importer._fail(outcome, number, "room", message)
            return None
        return self.room_by_code(number, text, outcome)

    def check_chunk(self, rows: list[tuple[int, dict[str, Any]]], outcome: importer.Outcome) -> None:
        parsed: list[tuple[int, ResidentRow]] = []
        for number, raw in rows:
            row = self._parse(number, raw, outcome)
            if row is not None:
                parsed.append((number, row))
        # What the database already holds about the chunk's people: two queries.
        numbers = {r.person[1] for _n, r in parsed} | {r.householder[1] for _n, r in parsed if r.householder}
        known = {
            (c.id_type, c.id_number): c
            for c in Customer.objects.filter(company=self.company, id_number__in=numbers).only(
                "id", "name", "id_type", "id_number"
            )
        }
        held: dict[tuple[int, int], list[Residency]] = defaultdict(list)
        for residency in Residency.objects.filter(customer_id__in=[c.pk for c in known.values()]):
            held[(residency.room_id, residency.customer_id)].append(residency)
        for number, row in parsed:
            self._check_against(number, row, known, held, outcome)

    def _parse(self, number: int, raw: dict[str, Any], outcome: importer.Outcome) -> ResidentRow | None:
        before = len(outcome.errors)
        text = {name: importer._text(raw.get(name)) for name in ("project", "room", "role", "relation",
                                                                   "householder_id_number")}  # fmt: skip
        for name, value in text.items():
            if problem := control_message(value):  # a row error, as PostgreSQL refuses NUL in text
                importer._fail(outcome, number, name, problem)
                return None
        role = rules.parse_role(text["role"]) if text["role"] else None
        if not text["role"]:
            importer._fail(outcome, number, "role", _("This field is required."))
        elif role is None:
            importer._fail(outcome, number, "role", _("Enter 业主, 租户 or 家庭成员."))
        room_id = self._room(number, text, outcome, role)
        values, errors = customer_rules.normalize_customer(raw)
        for name, messages in errors.items():
            for message in messages:
                importer._fail(outcome, number, name, message)
        if len(text["relation"]) > rules.MAX_RELATION:
            importer._fail(outcome, number, "relation", _("Ensure this value has at most %(max)d characters.")
                           % {"max": rules.MAX_RELATION})  # fmt: skip
        date_errors: dict[str, list[str]] = {}
        started_on = rules.check_start(raw.get("started_on"), date_errors)
        for message in date_errors.get("started_on", []):
            importer._fail(outcome, number, "started_on", message)
        householder: tuple[str, str] | None = None
        if role == Role.MEMBER:
            if not text["householder_id_number"]:
                importer._fail(outcome, number, "householder_id_number",
                               _("A household member needs the householder's ID number."))  # fmt: skip
            else:
                householder = self._person_key(text["householder_id_number"])
        elif text["householder_id_number"]:
            importer._fail(
                outcome, number, "householder_id_number", _("Only a household member names a householder.")
            )
        if len(outcome.errors) > before or role is None or room_id is None:
            return None
        person = (values["id_type"], values["id_number"])
        first = self.persons.setdefault(person, (number, values["name"]))
        if first[1] != values["name"]:
            importer._fail(outcome, number, "name", _("Row %(row)s has the same ID number with the name %(name)s.")
                           % {"row": first[0], "name": first[1]})  # fmt: skip
            return None
        return ResidentRow(room_id, person, values, role, householder, text["relation"], started_on)

    @staticmethod
    def _person_key(id_number: str) -> tuple[str, str]:
        """A householder named by ID number: a resident ID when it reads as one (the common case)."""
        number = id_number.strip().upper()
        return ("resident_id" if len(number) == 18 else "", number)

    def _householder_in_db(
        self,
        row: ResidentRow,
        known: dict[tuple[str, str], Customer],
        held: dict[tuple[int, int], list[Residency]],
    ) -> Residency | None:
        assert row.householder is not None
        candidates = [c for key, c in known.items() if key[1] == row.householder[1]]
        for customer in candidates:
            for residency in held.get((row.room_id, customer.pk), []):
                if residency.role in HOUSEHOLDER_ROLES and residency.ended_on is None:
                    return residency
        return None

    def _check_against(
        self,
        number: int,
        row: ResidentRow,
        known: dict[tuple[str, str], Customer],
        held: dict[tuple[int, int], list[Residency]],
        outcome: importer.Outcome,
    ) -> None:
        errors: dict[str, list[str]] = {}
        customer = known.get(row.person)
        history = held.get((row.room_id, customer.pk), []) if customer is not None else []
        householder: Residency | None = None
        householder_start = None
        if row.role == Role.MEMBER:
            assert row.householder is not None
            in_file = self.file_heads.get((row.room_id, row.householder[1]))
            householder = None if in_file is not None else self._householder_in_db(row, known, held)
            if in_file is not None:
                householder_start = in_file
            elif householder is not None:
                householder_start = householder.started_on
            else:
                errors["householder_id_number"] = [
                    _("No owner or tenant of this room has this ID number (in earlier rows or on file).")
                ]
        rules.check_period(
            errors,
            role=row.role,
            started_on=row.started_on,
            householder=householder,
            history=history,
            field="role",
        )
        if householder is None and householder_start is not None and row.started_on < householder_start:
            errors.setdefault("started_on", []).append(
                _("A member cannot move in before the householder (%(day)s).")
                % {"day": householder_start.isoformat()}
            )
        key = (row.room_id, row.person, row.role)
        first = self.file_residencies.get(key)
        if first is not None:
            errors.setdefault("role", []).append(
                _("Row %(row)s already registers this person as %(role)s of this room.")
                % {"row": first, "role": Role(row.role).label}
            )
        if row.role == Role.TENANT and (row.room_id, row.person, Role.OWNER) in self.file_residencies:
            errors.setdefault("role", []).append(_("An owner of the room cannot also be its tenant."))
        for name, messages in errors.items():
            for message in messages:
                importer._fail(outcome, number, name, message)
        if errors:
            return
        self.file_residencies[key] = number
        if row.role in HOUSEHOLDER_ROLES:
            self.file_heads.setdefault((row.room_id, row.person[1]), row.started_on)
        self.checked.append((number, (row, householder)))

    # --- saving --------------------------------------------------------------------------------

    def save(self, good: list[tuple[int, Any]]) -> int:
        """Create the new people, then owners and tenants, then members (who point at them)."""
        now = clock.now()
        rows: list[tuple[ResidentRow, Residency | None]] = [entry for _n, entry in good]
        people = {row.person for row, _h in rows}
        ids = {(c.id_type, c.id_number): c.pk for c in Customer.objects.filter(
            company=self.company, id_number__in=[p[1] for p in people]).only("id", "id_type", "id_number")}  # fmt: skip
        new: dict[tuple[str, str], Customer] = {}
        for row, _h in rows:
            if row.person in ids or row.person in new:
                continue
            customer = Customer(
                company=self.company, created_at=now, created_by_id=self.job.created_by_id, **row.values
            )
            customer.refresh_pinyin()  # bulk_create does not call save()
            new[row.person] = customer
        Customer.objects.bulk_create(list(new.values()), batch_size=500)
        ids.update({person: c.pk for person, c in new.items()})

        def residency(row: ResidentRow, householder_id: int | None) -> Residency:
            return Residency(
                company_id=self.company.pk, room_id=row.room_id, customer_id=ids[row.person], role=row.role,
                householder_id=householder_id, relation=row.relation if row.role == Role.MEMBER else "",
                started_on=row.started_on, source=Source.IMPORT, import_job_id=self.job.pk, created_at=now,
                created_by_id=self.job.created_by_id,
            )  # fmt: skip

        heads = [(row, residency(row, None)) for row, _h in rows if row.role in HOUSEHOLDER_ROLES]
        Residency.objects.bulk_create([r for _row, r in heads], batch_size=500)
        head_of = {(row.room_id, row.person[1]): r.pk for row, r in heads}
        members = []
        for row, on_file in rows:
            if row.role != Role.MEMBER:
                continue
            assert row.householder is not None
            head = head_of.get((row.room_id, row.householder[1])) or (on_file.pk if on_file else None)
            members.append(residency(row, head))
        Residency.objects.bulk_create(members, batch_size=500)
        return len(heads) + len(members)


def import_kind() -> ImportKindSpec:
    """The kind "residents" of the master-data importer (registered in AppConfig.ready): its
    columns, importer, the right importing it needs (the residents right), its label on the 导入
    page, and masking of its personal columns in the error file."""
    return ImportKindSpec(
        ImportKind.RESIDENTS,
        gettext_lazy("Residents"),
        RESIDENT_COLUMNS,
        ResidentImporter,
        MANAGE_RESIDENTS,
        personal_columns={**CUSTOMER_FIELDS, "householder_id_number": ID},
    )
