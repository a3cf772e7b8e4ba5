"""The repair flow's hooks (BPMN `completeHook`, registered in hooks.py): each writes the `Repair`
row and its timeline inside the engine step of 受理, 派工, 接单, 到场, 完工, 维修回访 and 结案, and
refuses a submission that does not fit the repair (400 with field errors, 409 when the repair has
moved on). The dispatcher's 取消 and 改派 are in actions.py."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from engine.errors import Conflict, FormInvalid, checked_text
from engine.hooks import HookContext, HookResult
from engine.models import Bill

from . import routing
from .models import Category, PhotoKind, Repair, RepairTeam, Status, Urgency
from .records import actor_name as _actor_name
from .records import assign_on_commit, log
from .records import positive_int as _int

ZERO = Decimal("0.00")


def _seconds(start: Any, end: Any) -> int:
    return max(0, int((end - start).total_seconds()))


# --- 受理 (start event) ------------------------------------------------------------------------


def _read_intake(context: HookContext) -> tuple[dict[str, Any], dict[str, list[str]]]:
    from webapp.accounts.models import Project
    from webapp.realestate.models import Customer, Room

    data, company_id = context.data, context.instance.company_id
    errors: dict[str, list[str]] = {}
    project = None
    if _int(data.get("project_id")):
        project = Project.objects.filter(pk=data["project_id"], company_id=company_id).first()
    if project is None:
        errors["project"] = [_("Choose the estate from the list.")]
    room = None
    category = data.get("category")
    if data.get("area") == "room":
        if _int(data.get("room_id")):
            room = (
                Room.objects.select_related("floor__unit__building")
                .filter(pk=data["room_id"], company_id=company_id)
                .first()
            )
        if room is None:
            errors["room"] = [_("Choose the room from the list (type its number or the owner's name).")]
        elif project is not None and room.project_id != project.pk:
            errors["room"] = [_("This room is not in the chosen estate.")]
        if category == Category.PUBLIC_AREA:
            errors["category"] = [_("A public-area repair has no room: choose 公共区域 as the location.")]
    elif data.get("room_id") not in (None, ""):
        errors["room"] = [_("A public-area repair has no room: clear it.")]
    customer = None
    if _int(data.get("customer_id")):
        customer = Customer.objects.filter(pk=data["customer_id"], company_id=company_id).first()
        if customer is None:
            errors["customer_name"] = [_("Choose the reporter from the list or type a name.")]
    values = {"project": project, "room": room, "customer": customer}
    return values, errors


def check_intake(context: HookContext) -> dict[str, list[str]]:
    return _read_intake(context)[1]


def intake(context: HookContext) -> HookResult:
    """报修受理: the Repair row, routed at once (an emergency to the technician on duty, else by
    the estate's rules); with no rule the dispatcher (调度中心) gets it."""
    values, errors = _read_intake(context)
    if errors:
        raise FormInvalid(errors)
    data, now = context.data, context.now
    project, room = values["project"], values["room"]
    location = (
        f"{project.name} {room.label()}" if room else f"{project.name} {data.get('public_location', '')}"
    )
    emergency = data.get("urgency") == Urgency.EMERGENCY
    found = routing.route(project.pk, str(data.get("category")), emergency, now)
    dispatched = found.team is not None
    appointment = (
        parse_datetime(str(data.get("appointment_at") or "")) if data.get("appointment_at") else None
    )
    repair = Repair.objects.create(
        company_id=context.instance.company_id, project=project, room=room, location=location[:200],
        customer=values["customer"], reporter_name=str(data.get("customer_name", ""))[:100],
        reporter_phone=str(data.get("customer_mobile", ""))[:30], channel=str(data.get("channel", "hotline")),
        category=str(data.get("category")), description=str(data.get("description", "")),
        urgency=Urgency.EMERGENCY if emergency else Urgency.NORMAL, paid=data.get("paid") is True,
        appointment_at=appointment, status=Status.DISPATCHED if dispatched else Status.REPORTED,
        team=found.team, technician=found.technician, auto_dispatched=dispatched,
        instance=context.instance, reported_by=context.actor, reported_at=now,
        dispatched_at=now if dispatched else None,
    )  # fmt: skip
    log(
        repair,
        "受理",
        context.actor,
        f"{repair.get_urgency_display()} · {repair.get_category_display()}",
        now,
    )
    if found.technician is not None:
        log(repair, "派工", None, f"紧急报修，派给值班技工{_actor_name(found.technician)}并短信通知", now)
        assign_on_commit(context.instance.pk, found.technician.pk)
    elif found.team is not None:
        log(repair, "派工", None, f"按派工规则派给{found.team.name}", now)
    result = {
        "repair_id": repair.pk, "location": repair.location, "title": f"{repair.get_category_display()} · {repair.location}",
        "room": room.label() if room else "", "category_name": repair.get_category_display(),
        "urgency_name": repair.get_urgency_display(), "paid_name": "有偿" if repair.paid else "无偿",
        "dispatch_mode": found.mode, "reopen_count": 0, "charge_amount": "", "return_reason": "", "callback_note": "",
        "status_name": repair.get_status_display(), **_team_data(found.team, found.technician),
    }  # fmt: skip
    return HookResult(data=result)


def _team_data(team: RepairTeam | None, technician: Any) -> dict[str, Any]:
    return {
        "team_id": team.pk if team else None,
        "team_group": team.work_group.name if team else "",
        "team_name": team.name if team else "",
        "technician_id": technician.pk if technician else None,
        "technician_name": _actor_name(technician) if technician else "",
        "technician_mobile": getattr(technician, "mobile", "") if technician else "",
    }


def _repair_of(context: HookContext) -> Repair:
    """The step's repair, its row locked. (The steps after 受理 read their form from
    `context.submitted`: the task data still holds the values of earlier rounds, a reopened
    repair's charges or a technician who sent it back.)"""
    repair = None
    if _int(context.data.get("repair_id")):
        repair = (
            Repair.objects.select_for_update()
            .filter(pk=context.data["repair_id"], company_id=context.instance.company_id)
            .first()
        )
    if repair is None or repair.instance_id != context.instance.pk:
        raise Conflict(_("This flow has no repair work order."))
    return repair


def _expect(repair: Repair, *statuses: str) -> None:
    if repair.status not in statuses:
        raise Conflict(_("This repair is %(status)s now.") % {"status": repair.get_status_display()})


# --- 派工 ---------------------------------------------------------------------------------------


def _read_dispatch(context: HookContext) -> tuple[dict[str, Any], dict[str, list[str]]]:
    from webapp.accounts.models import User

    data, company_id = context.submitted, context.instance.company_id
    errors: dict[str, list[str]] = {}
    team = None
    if _int(data.get("team_id")):
        team = (
            RepairTeam.objects.select_related("work_group")
            .filter(pk=data["team_id"], company_id=company_id, active=True)
            .first()
        )
    if team is None:
        errors["team_id"] = [_("Choose an active repair team of your company.")]
    technician = None
    if data.get("technician_id") not in (None, ""):
        if _int(data.get("technician_id")):
            technician = User.objects.filter(
                pk=data["technician_id"], company_id=company_id, is_active=True
            ).first()
        if technician is None or (team is not None and not routing.is_member(technician, team)):
            errors["technician_id"] = [_("Choose a technician of the chosen team, or nobody.")]
    return {"team": team, "technician": technician}, errors


def check_dispatch(context: HookContext) -> dict[str, list[str]]:
    return _read_dispatch(context)[1]


def dispatch(context: HookContext) -> HookResult:
    """派工 (or 改派 after a technician sent it back): the team and, if chosen, the technician."""
    repair = _repair_of(context)
    _expect(repair, Status.REPORTED)
    values, errors = _read_dispatch(context)
    if errors:
        raise FormInvalid(errors)
    team, technician = values["team"], values["technician"]
    again = repair.dispatched_at is not None
    note = checked_text(context.submitted.get("dispatch_note"), "dispatch_note", 500)
    Repair.objects.filter(pk=repair.pk).update(
        status=Status.DISPATCHED, team=team, technician=technician, dispatched_at=context.now,
        reassign_count=repair.reassign_count + (1 if again else 0),
    )  # fmt: skip
    who = f"{team.name}" + (f" · {_actor_name(technician)}" if technician else "")
    log(
        repair,
        "改派" if again else "派工",
        context.actor,
        f"派给{who}" + (f"：{note}" if note else ""),
        context.now,
    )
    if technician is not None:
        assign_on_commit(context.instance.pk, technician.pk)
    return HookResult(
        data={**_team_data(team, technician), "status_name": Status.DISPATCHED.label, "return_reason": ""}
    )


# --- 接单, 到场 ---------------------------------------------------------------------------------


def accept(context: HookContext) -> HookResult:
    """接单: the technician takes it (维修中); 退单 sends it back to the dispatcher with the reason."""
    repair = _repair_of(context)
    _expect(repair, Status.DISPATCHED)
    if context.submitted.get("accept_decision") == "return":
        reason = checked_text(context.submitted.get("return_reason"), "return_reason", 500)
        if not reason:
            raise FormInvalid({"return_reason": [_("Say why you send it back.")]})
        Repair.objects.filter(pk=repair.pk).update(status=Status.REPORTED, technician=None)
        log(repair, "退单", context.actor, reason, context.now)
        return HookResult(data={"return_reason": reason, "technician_id": None, "technician_name": "",
                                "status_name": Status.REPORTED.label})  # fmt: skip
    Repair.objects.filter(pk=repair.pk).update(
        status=Status.IN_PROGRESS, technician=context.actor, accepted_at=context.now
    )
    log(repair, "接单", context.actor, "", context.now)
    assign_on_commit(context.instance.pk, context.actor.pk, ("Task_Arrive",))
    return HookResult(data={
        "technician_id": context.actor.pk, "technician_name": _actor_name(context.actor),
        "status_name": Status.IN_PROGRESS.label,
    })  # fmt: skip


def arrive(context: HookContext) -> HookResult:
    """到场: the time is recorded (the first arrival is the response time)."""
    repair = _repair_of(context)
    _expect(repair, Status.IN_PROGRESS)
    note = checked_text(context.submitted.get("arrival_note"), "arrival_note", 500)
    changes: dict[str, Any] = {"arrived_at": context.now}
    if repair.response_seconds is None:
        changes["response_seconds"] = _seconds(repair.reported_at, context.now)
    Repair.objects.filter(pk=repair.pk).update(**changes)
    log(repair, "到场", context.actor, note, context.now)
    assign_on_commit(context.instance.pk, context.actor.pk, ("Task_Done",))
    return HookResult()


# --- 完工 ---------------------------------------------------------------------------------------


def _money(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _read_done(context: HookContext, repair: Repair) -> tuple[dict[str, Any], dict[str, list[str]]]:
    data = context.submitted
    errors: dict[str, list[str]] = {}
    labour, material = _money(data.get("labour_charge")), _money(data.get("material_charge"))
    rework = repair.reopen_count > 0  # a reopened repair is charged again only for what is added
    if repair.paid and not rework:
        if labour is None:
            errors["labour_charge"] = [_("A paid repair needs the labour charge (0 when none).")]
        if material is None:
            errors["material_charge"] = [_("A paid repair needs the material charge (0 when none).")]
        if labour is not None and material is not None and labour + material <= 0:
            errors["labour_charge"] = [_("A paid repair costs something: enter the charges.")]
    if repair.paid and (not rework or (labour or ZERO) + (material or ZERO) > 0):
        if data.get("charge_confirmed") is not True:
            errors["charge_confirmed"] = [_("The resident confirms the amount before you submit.")]
        if data.get("confirm_method") not in ("at_door", "by_phone"):
            errors["confirm_method"] = [_("Say how the resident confirmed: at the door or by phone.")]
    elif (labour or ZERO) > 0 or (material or ZERO) > 0:
        errors["labour_charge"] = [_("A free repair has no charges: clear them.")]
    if not repair.photos.filter(kind=PhotoKind.AFTER, round=repair.reopen_count).exists():
        errors["result"] = [_("Upload a photo of the finished repair first (above the form), then submit.")]
    return {"labour": labour or ZERO, "material": material or ZERO}, errors


def check_done(context: HookContext) -> dict[str, list[str]]:
    repair = Repair.objects.filter(pk=_int(context.data.get("repair_id")) or 0).first()
    return _read_done(context, repair)[1] if repair is not None else {}


def done(context: HookContext) -> HookResult:
    """完工: result, materials and photos; charges confirmed by the resident when 有偿 (the bill is
    recorded by the flow's billing service task); the owner's evaluation when given on the spot."""
    repair = _repair_of(context)
    _expect(repair, Status.IN_PROGRESS)
    if repair.arrived_at is None:
        raise Conflict(_("Record the arrival first."))
    values, errors = _read_done(context, repair)
    if errors:
        raise FormInvalid(errors)
    data = context.submitted
    satisfaction = _int(data.get("satisfaction"))
    total = values["labour"] + values["material"]
    changes: dict[str, Any] = {
        "status": Status.DONE, "done_at": context.now, "completion_seconds": _seconds(repair.reported_at, context.now),
        "result": checked_text(data.get("result"), "result", 2000),
        "materials": "；".join(t for t in (repair.materials, checked_text(data.get("materials"), "materials", 1000)) if t)[:2000],
        # a reopened repair adds what this round costs to what the first one did
        "labour_charge": repair.labour_charge + values["labour"],
        "material_charge": repair.material_charge + values["material"], "charge_confirmed": repair.paid,
        "satisfaction": satisfaction, "evaluated_at": context.now if satisfaction else None,
        "evaluation_comment": checked_text(data.get("evaluation_comment"), "evaluation_comment", 1000),
    }  # fmt: skip
    Repair.objects.filter(pk=repair.pk).update(**changes)
    note = changes["result"] + (
        f"；费用 ¥{total}（{'当面' if data.get('confirm_method') == 'at_door' else '电话'}确认）"
        if repair.paid and total > 0
        else ""
    )
    log(repair, "完工", context.actor, note, context.now)
    if satisfaction:
        log(
            repair,
            "评价",
            context.actor,
            f"业主现场评价 {satisfaction} 分 {changes['evaluation_comment']}".strip(),
            context.now,
        )
    return HookResult(data={
        "charge_amount": f"{total:.2f}" if repair.paid and total > 0 else "", "evaluated_satisfaction": satisfaction,
        "status_name": Status.DONE.label,
    })  # fmt: skip


# --- 维修回访, 结案 ------------------------------------------------------------------------------


def _read_callback(context: HookContext, repair: Repair) -> dict[str, list[str]]:
    data = context.submitted
    errors: dict[str, list[str]] = {}
    if (
        data.get("customer_reached") is True
        and repair.satisfaction is None
        and not _int(data.get("satisfaction"))
    ):
        errors["satisfaction"] = [_("The owner did not evaluate on the spot: record the satisfaction now.")]
    if data.get("callback_result") == "unsatisfied" and not str(data.get("callback_note") or "").strip():
        errors["callback_note"] = [_("Say what is still wrong.")]
    return errors


def check_callback(context: HookContext) -> dict[str, list[str]]:
    repair = Repair.objects.filter(pk=_int(context.data.get("repair_id")) or 0).first()
    return _read_callback(context, repair) if repair is not None else {}


def callback(context: HookContext) -> HookResult:
    """维修回访: satisfied → 已回访 (结案 follows); unsatisfied → reopened to the same team and
    technician (返修, counted)."""
    repair = _repair_of(context)
    _expect(repair, Status.DONE)
    errors = _read_callback(context, repair)
    if errors:
        raise FormInvalid(errors)
    data = context.submitted
    note = checked_text(data.get("callback_note"), "callback_note", 1000)
    satisfaction = _int(data.get("satisfaction")) or repair.satisfaction
    bill = Bill.objects.filter(instance_id=context.instance.pk).order_by("-created_at").first()
    changes: dict[str, Any] = {
        "callback_note": note,
        "called_back_at": context.now,
        "bill": bill or repair.bill,
    }
    if satisfaction and satisfaction != repair.satisfaction:
        changes.update(satisfaction=satisfaction, evaluated_at=context.now)
    if data.get("callback_result") == "unsatisfied":
        changes.update(status=Status.DISPATCHED, reopen_count=repair.reopen_count + 1, accepted_at=None)
        Repair.objects.filter(pk=repair.pk).update(**changes)
        log(repair, "返修", context.actor, note, context.now)
        if repair.technician_id:
            assign_on_commit(context.instance.pk, repair.technician_id)
        return HookResult(data={"reopen_count": repair.reopen_count + 1, "callback_note": note,
                                "status_name": Status.DISPATCHED.label, "evaluated_satisfaction": None})  # fmt: skip
    changes["status"] = Status.CALLED_BACK
    Repair.objects.filter(pk=repair.pk).update(**changes)
    reached = "已联系上报修人" if data.get("customer_reached") is True else "未联系上报修人"
    log(repair, "回访", context.actor, f"{reached}，满意度 {satisfaction or '—'} {note}".strip(), context.now)
    return HookResult(data={"callback_note": note, "status_name": Status.CALLED_BACK.label})


def close(context: HookContext) -> HookResult:
    """结案: the repair is closed (its statistics count from closed_at)."""
    repair = _repair_of(context)
    _expect(repair, Status.CALLED_BACK)
    note = checked_text(context.submitted.get("close_note"), "close_note", 500)
    Repair.objects.filter(pk=repair.pk).update(status=Status.CLOSED, closed_at=context.now)
    log(repair, "结案", context.actor, note, context.now)
    return HookResult(data={"status_name": Status.CLOSED.label})
