"""Who may open what: every route of the site and every menu entry, by the right it needs.

A right is a Django permission carried by a role (a Django auth group; roles are given on the
people page and defined on the roles page, webapp/accounts/roles.py). The site's routes are
grouped into AREAS; each area names the right it needs and what a person without it gets:

- ``FORBIDDEN``: a 403 (the 403 page, or the API's 403 JSON), before any object is looked up, so
  whether an id exists does not leak;
- ``OWN_WORK``: the route opens, and the permission-checked getters show only what the person's
  work holds (tasks of their work groups, the defects dispatched to them, the rooms of their
  inspections); anything else is a 404. Holders of the right see all of their company's.
- ``RESIDENT``: the owner's channel (/my/, webapp/owner): residents are not Django users, so the
  area is public to Django auth and each of its views checks the resident session itself (an SMS
  code sign-in, webapp/owner/session.py), sending everyone without one to /my/login/; a resident
  sees only their own rooms (anything else a 404) and, being anonymous to Django auth, no staff route.

Another company's objects stay a 404 for everyone (the getters scope by company first).

ROUTES maps every named route (url name, namespaced) to its area, per HTTP method where methods
differ. Two enforcers read it: RightsMiddleware for the pages and HasRight, the API's default
permission class (settings.REST_FRAMEWORK). The menu (base.html) asks the `may` filter of
webapp/common/templatetags/rights.py, which reads the same AREAS. tests/security/test_route_walk.py
walks every route as several people and checks the answer against this table, and
tests/security/test_rights_doc.py checks that docs/security.md shows it as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission

from engine.errors import NotAllowed

FORBIDDEN = "forbidden"
OWN_WORK = "own work"
RESIDENT = "resident session"

# The rights of this module (Django permission codes); roles.PERMISSIONS offers them on the roles page.
START_FLOWS = "engine.add_processinstance"
VIEW_CUSTOMERS = "realestate.view_customer"
ADD_CUSTOMERS = "realestate.add_customer"
CHANGE_CUSTOMERS = "realestate.change_customer"
VIEW_ROOMS = "realestate.view_room"
ADD_ROOMS = "realestate.add_room"
CHANGE_ROOMS = "realestate.change_room"  # maintain the property register (webapp/realestate/register.py)
VIEW_SALES = "sales.view_subscription"
VIEW_MOVEIN = "movein.view_handoverbatch"
ADD_BATCH = "movein.add_handoverbatch"
VIEW_DEFECTS = "movein.view_defect"
VIEW_REPAIRS = "repairs.view_repair"
DISPATCH_REPAIRS = "repairs.change_repair"
VIEW_ALL = "engine.view_all_instances"
DEPLOY = "engine.deploy_process"
MIGRATE = "engine.migrate_instances"
REVIEW_AUDIT = "engine.review_audit"
MANAGE_PEOPLE = "accounts.manage_people"
MANAGE_ROLES = "accounts.manage_roles"
MANAGE_RESIDENTS = "residents.manage_residents"
ENTER_READINGS = "meters.enter_readings"  # meters and their readings (webapp/meters)
VIEW_FEES = "fees.view_feeitem"  # fee setup (webapp/fees): items, versions, quotes
MANAGE_FEES = "fees.add_feeitem"  # new fee items and versions
VIEW_PARKING = "parking.view_parkingcontract"  # the parking directory (webapp/parking)
MANAGE_PARKING = "parking.manage_parking"  # parking contracts, cars, space bookings
VIEW_BILLS = "billing.view_charge"  # bills, runs, payments, receipts and reports (webapp/billing)
RUN_BILLING = "billing.run_billing"  # monthly billing runs: start, post, discard
TAKE_PAYMENTS = "billing.take_payment"  # the desk: payments, deposits, refunds, the daily closing
ISSUE_CREDIT = "billing.issue_credit"  # credit notes (冲红)
PUBLISH_NOTICES = "community.publish_notice"  # community notices (社区公告, webapp/community)
MANAGE_SURVEYS = "community.manage_surveys"  # questionnaires (满意度问卷, webapp/community)
ADMIT_PASSES = "passes.admit"  # the gate: check passes and record entries (webapp/passes)
APPROVE_DECORATION = "passes.approve_decoration"  # approve residents' decoration passes (装修出入证)


@dataclass(frozen=True)
class Area:
    """A part of the site and the right it needs: any one of `rights` (none: every signed-in
    person of a company); without it, `without` says what the person gets."""

    key: str
    label: Any
    rights: tuple[str, ...] = ()
    without: str = FORBIDDEN
    public: bool = False  # open to the anonymous too (the login page)
    message: Any = None  # what the 403 says (default: the area needs a right the roles do not give)

    def opens_for(self, user: Any) -> bool:
        """True when the area's routes open for the user (all of it or, OWN_WORK, their part)."""
        if self.public:
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        return self.without == OWN_WORK or self.held_by(user)

    def held_by(self, user: Any) -> bool:
        """True when the user holds the area's right (so sees all of the company's)."""
        if not getattr(user, "is_authenticated", False):
            return False
        return not self.rights or any(user.has_perm(code) for code in self.rights)


_AREAS = [
    Area("public", gettext_lazy("Sign-in, language, API token"), public=True),
    Area("work", gettext_lazy("Inbox, tasks, own flows, alerts"), without=OWN_WORK),
    Area(
        "resident",
        gettext_lazy(
            "The owner's channel /my/: residents signed in with an SMS code (their own session, no staff right)"
        ),
        without=RESIDENT,
        public=True,
    ),
    Area("reference", gettext_lazy("Inspection standards, API docs")),
    Area(
        "start",
        gettext_lazy("Start flows (record a customer issue, receive a visitor)"),
        (START_FLOWS,),
        message=gettext_lazy("Only employees of a company can start flows."),
    ),
    Area("customers", gettext_lazy("Customers"), (VIEW_CUSTOMERS,)),
    Area("customers.add", gettext_lazy("New customer"), (ADD_CUSTOMERS,)),
    Area("customers.change", gettext_lazy("Change a customer"), (CHANGE_CUSTOMERS,)),
    Area("rooms", gettext_lazy("Sales control chart, rooms, payment methods"), (VIEW_ROOMS,)),
    Area(
        "imports",
        gettext_lazy("Import from Excel"),
        (ADD_CUSTOMERS, ADD_ROOMS, MANAGE_RESIDENTS, ENTER_READINGS),
    ),
    Area("residents", gettext_lazy("Register residents of a room, move-out"), (MANAGE_RESIDENTS,)),
    Area("register", gettext_lazy("Property register, parking directory, plans"), (VIEW_ROOMS,)),
    Area(
        "register.manage",
        gettext_lazy("Maintain the property register (rooms, plans, estate settings)"),
        (CHANGE_ROOMS,),
        message=gettext_lazy("Maintaining the property register needs the register permission."),
    ),
    Area("register.readiness", gettext_lazy("Register readiness report"), (CHANGE_ROOMS, ADD_BATCH)),
    Area("sales", gettext_lazy("Subscription ledger, late-entry report"), (VIEW_SALES,)),
    Area(
        "visits",
        gettext_lazy("Visit passes for buyers (云通行): passes, visit slots, visits, statistics"),
        (VIEW_SALES,),
        message=gettext_lazy("Visit passes are for the sales staff."),
    ),
    Area("movein.batches", gettext_lazy("Move-in batches (list)"), (VIEW_MOVEIN,)),
    Area(
        "movein.new",
        gettext_lazy("New move-in batch"),
        (ADD_BATCH,),
        message=gettext_lazy("Creating a move-in batch needs the move-in management permission."),
    ),
    Area("movein.rooms", gettext_lazy("Move-in batch and room pages"), (VIEW_MOVEIN,), OWN_WORK),
    Area("movein.defects", gettext_lazy("Move-in defects and their photos"), (VIEW_DEFECTS,), OWN_WORK),
    Area("repairs", gettext_lazy("Repairs, their photos and bills"), (VIEW_REPAIRS,), OWN_WORK),
    Area(
        "repairs.dispatch",
        gettext_lazy("Dispatch, reassign and cancel repairs"),
        (DISPATCH_REPAIRS,),
        message=gettext_lazy("Reassigning and cancelling repairs is for the dispatcher."),
    ),
    Area(
        "repairs.stats",
        gettext_lazy("Repair statistics and their export"),
        (VIEW_REPAIRS, VIEW_ALL),
        message=gettext_lazy(
            "Repair statistics are for those who see all repairs or all flows of the company."
        ),
    ),
    Area("fees", gettext_lazy("Fee setup: fee items, their versions, quotes"), (VIEW_FEES, MANAGE_FEES)),
    Area(
        "fees.manage",
        gettext_lazy("New fee items and versions"),
        (MANAGE_FEES,),
        message=gettext_lazy("Setting up fees needs the fee setup permission."),
    ),
    Area(
        "billing",
        gettext_lazy("Bills, billing runs, payments, receipts and fee reports"),
        (VIEW_BILLS, RUN_BILLING, TAKE_PAYMENTS),
        message=gettext_lazy("Bills and payments are for the property company's billing staff."),
    ),
    Area(
        "billing.run",
        gettext_lazy("Monthly billing runs: start, post, discard"),
        (RUN_BILLING,),
        message=gettext_lazy("Billing runs need the billing run permission."),
    ),
    Area(
        "billing.cashier",
        gettext_lazy(
            "The front desk: payments, one-off charges and deposits, refunds, online orders, the daily closing"
        ),
        (TAKE_PAYMENTS,),
        message=gettext_lazy("Taking payments is for cashiers."),
    ),
    Area(
        "billing.credit",
        gettext_lazy("Credit notes (冲红)"),
        (ISSUE_CREDIT,),
        message=gettext_lazy("Credit notes need the credit note permission."),
    ),
    Area(
        "meters",
        gettext_lazy("Meters of the rooms: add meters, enter and import readings"),
        (ENTER_READINGS,),
        message=gettext_lazy("Entering meter readings needs the meter reading permission."),
    ),
    Area(
        "parking", gettext_lazy("Parking spaces: directory, contracts, cars"), (VIEW_PARKING, MANAGE_PARKING)
    ),
    Area(
        "parking.manage",
        gettext_lazy("Register parking contracts and cars, record space bookings"),
        (MANAGE_PARKING,),
        message=gettext_lazy("Managing parking needs the parking permission."),
    ),
    Area(
        "passes.gate",
        gettext_lazy("The gate: check passes and record entries"),
        (ADMIT_PASSES,),
        message=gettext_lazy("Checking passes is for the gate guards."),
    ),
    Area(
        "passes.decoration",
        gettext_lazy("Approve decoration passes"),
        (APPROVE_DECORATION,),
        message=gettext_lazy("Approving decoration passes needs the decoration approval permission."),
    ),
    Area(
        "community.notices",
        gettext_lazy("Community notices: publish, change, withdraw, read counts"),
        (PUBLISH_NOTICES,),
        message=gettext_lazy("Community notices are for the stewards who publish them."),
    ),
    Area(
        "community.surveys",
        gettext_lazy("Questionnaires: write, send to the residents, results"),
        (MANAGE_SURVEYS,),
        message=gettext_lazy("Questionnaires are for the staff who run the satisfaction surveys."),
    ),
    # the messages of the views these areas had before the table (the same words)
    Area(
        "sla",
        gettext_lazy("SLA dashboard"),
        (VIEW_ALL,),
        message=gettext_lazy("The SLA dashboard is for those who see all instances of the company."),
    ),
    Area(
        "designer",
        gettext_lazy("Designer"),
        (DEPLOY,),
        message=gettext_lazy("Deploying flows needs the deploy permission."),
    ),
    Area(
        "waits",
        gettext_lazy("Where work waits"),
        (DEPLOY, VIEW_ALL),
        message=gettext_lazy("Where work waits is for analysts and those who see all instances."),
    ),
    Area(
        "migrate",
        gettext_lazy("Migrate instances"),
        (MIGRATE,),
        message=gettext_lazy("Migrating instances needs the migrate permission."),
    ),
    Area(
        "audit",
        gettext_lazy("Audit"),
        (REVIEW_AUDIT,),
        message=gettext_lazy("Reviewing the audit trail needs the audit permission."),
    ),
    Area(
        "people",
        gettext_lazy("People"),
        (MANAGE_PEOPLE,),
        message=gettext_lazy("Giving people roles is for the company's administrators."),
    ),
    Area(
        "roles",
        gettext_lazy("Roles and rights"),
        (MANAGE_ROLES,),
        message=gettext_lazy("Defining roles is for the group's administrators."),
    ),
]
AREAS: dict[str, Area] = {area.key: area for area in _AREAS}

# url name → area key, or {method: area key} where the methods of one route differ.
ROUTES: dict[str, str | dict[str, str]] = {
    # signing in
    "login": "public",
    "logout": "public",
    "set_language": "public",
    "api-token": "public",
    # the owner's channel (webapp/owner): the views check the resident session
    "owner:login": "resident",
    "owner:verify": "resident",
    "owner:logout": "resident",
    "owner:rooms": "resident",
    "owner:room": "resident",
    "owner:notices": "resident",
    "owner:notice": "resident",
    "owner:messages": "resident",
    "owner:surveys": "resident",
    # the questionnaire link of an SMS: its signed token is the credential (webapp/community/surveys.py)
    "owner:survey": "public",
    "owner:passes": "resident",
    "owner:pass_new": "resident",
    "owner:decoration_new": "resident",
    "owner:pass": "resident",
    "owner:pass_revoke": "resident",
    "owner:movein": "resident",
    "owner:movein_slot": "resident",
    "owner:defect": "resident",
    "owner:defect_photo": "resident",
    "owner:verification": "resident",
    "owner:callback_answer": "public",  # a complaint's 回访 answered by the customer: the signed token of the SMS
    "owner:callback_invite": "work",  # the 回访 task's holder sends that SMS (engine.access.may_work)
    "owner:bills": "resident",
    "owner:bill_pay": "resident",
    "owner:order": "resident",
    "owner:payments": "resident",
    "owner:receipt": "resident",
    "owner:repairs": "resident",
    "owner:repair_new": "resident",
    "owner:repair": "resident",
    "owner:repair_evaluate": "resident",
    "owner:repair_photo": "resident",
    "owner:complaints": "resident",
    "owner:complaint_new": "resident",
    "owner:complaint": "resident",
    "home": "work",
    # one's own work: the engine shows only the flows and tasks one takes part in (engine/access.py)
    "inbox": "work",
    "task": "work",
    "task_claim": "work",
    "task_unclaim": "work",
    "task_pause": "work",
    "task_resume": "work",
    "instances": "work",
    "instance": "work",
    "instance_cancel": "work",  # engine.actions.check_cancel_instance: the cancel right (403)
    "incident_retry": "work",
    "alerts": "work",
    "alert_read_all": "work",
    "alert_open": "work",
    "alert_read": "work",
    "api-root": "work",
    "api-me": "work",
    "task-list": "work",
    "task-detail": "work",
    "task-claim": "work",
    "task-complete": "work",
    "task-pause": "work",
    "task-resume": "work",
    "task-unclaim": "work",
    "process-instance-list": {"get": "work", "post": "start"},
    "process-instance-detail": "work",
    "process-instance-audit": "work",
    "process-instance-cancel": "work",
    "api-lookup": "work",  # each lookup source searches through its app's getters (their rights)
    "process-definition-list": {"get": "work", "post": "designer"},
    "process-definition-detail": "work",
    "process-definition-diagram": "work",
    "incident-list": "work",
    "incident-detail": "work",
    "incident-retry": "work",
    "alert-list": "work",
    "alert-read-all": "work",
    "alert-unread-count": "work",
    "alert-read": "work",
    "api-deadline": "work",
    "privacy-reveal": "work",  # the object's own getter decides (and the personal-data right)
    "privacy_reveal": "work",
    # reference
    "movein:standards": "reference",
    "movein_api:standard-list": "reference",
    "api-schema": "reference",
    "api-docs": "reference",
    # starting flows by hand (each flow's start rule says who, engine.access.may_start)
    "issue_new": "start",
    "start": "start",
    # master data and sales
    "customers": "customers",
    "customer_new": "customers.add",
    "customer": "customers",
    "customer_edit": "customers.change",
    "customer-list": {"get": "customers", "post": "customers.add"},
    "customer-detail": {"get": "customers", "patch": "customers.change"},
    "customer-audit-problems": "customers",
    "rooms": "rooms",
    "room": "rooms",
    "room-list": {"get": "rooms", "post": "register.manage"},
    "room-detail": {"get": "rooms", "patch": "register.manage"},
    "payment-method-list": "rooms",
    "imports": "imports",
    "import_job": "imports",
    "import_job_rerun": "imports",
    "import_job_errors": "imports",
    "import_template": "imports",
    "import-job-list": "imports",
    "import-job-detail": "imports",
    "import-job-skip-bad-rows": "imports",
    # residents (webapp/residents): seen with the room or the person, managed with the residents right
    "residents:add": "residents",
    "residents:move_out": "residents",
    "residents:import_template": "residents",
    "residents_api:room-residents": {"get": "rooms", "post": "residents"},
    "residents_api:move-out": "residents",
    "residents_api:customer-rooms": "customers",
    # the property register (房产管理)
    "register": "register",
    "register_settings": "register.manage",
    "register_parking": "register",
    "register_readiness": "register.readiness",
    "register_plan_upload": "register.manage",
    "register_room": "register.manage",
    "register-project": {"get": "register", "patch": "register.manage"},
    "register-parking": "register",
    "register-readiness": "register.readiness",
    "register-plans": {"get": "register", "post": "register.manage"},
    "register-plan-file": "register",
    "sales:subscription_list": "sales",
    "sales:subscription_detail": "sales",
    "sales:late_entries": "sales",
    "sales_api:subscription-list": "sales",
    "sales_api:subscription-detail": "sales",
    "sales_api:late-subscriptions": "sales",
    # 云通行 (webapp/visits): sales staff with the sales right; the buyer's page by its signed token
    "visits:passes": "visits",
    "visits:pass": "visits",
    "visits:booking_visited": "visits",
    "visits:slots": "visits",
    "visits:stats": "visits",
    "visits:book": "public",  # the buyer's booking page: the signed token is the credential, no sign-in
    "visits_api:passes": "visits",
    "visits_api:slots": "visits",
    "visits_api:booking-visited": "visits",
    "visits_api:stats": "visits",
    # move-in
    "movein:batches": "movein.batches",
    "movein:batch_new": "movein.new",
    "movein:batch": "movein.rooms",
    "movein:room": "movein.rooms",
    "movein:defect_record": "movein.rooms",
    "movein:defects": "movein.defects",
    "movein:defect": "movein.defects",
    "movein:defect_photos": "movein.defects",
    "movein:photo": "movein.defects",
    "movein:photo_thumb": "movein.defects",
    "movein_api:batch-list": {"get": "movein.batches", "post": "movein.new"},
    "movein_api:batch-detail": "movein.rooms",
    "movein_api:room-detail": "movein.rooms",
    "movein_api:room-acceptance": "movein.rooms",
    "movein_api:room-defects": "movein.rooms",
    "movein_api:defect-list": "movein.defects",
    "movein_api:defect-detail": "movein.defects",
    "movein_api:defect-photos": "movein.defects",
    "movein_api:photo-content": "movein.defects",
    "movein_api:contractor-list": "movein.defects",
    "movein_api:contractor-detail": "movein.defects",
    # repairs
    "repairs:list": "repairs",
    "repairs:new": "start",
    "repairs:detail": "repairs",
    "repairs:photos": "repairs",
    "repairs:photo": "repairs",
    "repairs:photo_thumb": "repairs",
    "repairs:cancel": "repairs.dispatch",
    "repairs:stats": "repairs.stats",
    "repairs:stats_xlsx": "repairs.stats",
    "repairs:stats_csv": "repairs.stats",
    "repairs_api:repair-list": "repairs",
    "repairs_api:repair-detail": "repairs",
    "repairs_api:repair-photos": "repairs",
    "repairs_api:photo-content": "repairs",
    "repairs_api:repair-cancel": "repairs.dispatch",
    "repairs_api:repair-reassign": "repairs.dispatch",
    # fee setup (webapp/fees)
    "fees:setup": "fees",
    "fees:item_new": "fees.manage",
    "fees:item": "fees",
    "fees:version_new": "fees.manage",
    "fees:quote": "fees",
    "fees_api:item-list": {"get": "fees", "post": "fees.manage"},
    "fees_api:item-detail": "fees",
    "fees_api:item-versions": "fees.manage",
    "fees_api:quote": "fees",
    # billing (webapp/billing)
    "billing_api:run-list": {"get": "billing", "post": "billing.run"},
    "billing_api:run-detail": "billing",
    "billing_api:run-post": "billing.run",
    "billing_api:run-discard": "billing.run",
    "billing_api:run-lines": "billing",
    "billing_api:charge-list": {"get": "billing", "post": "billing.cashier"},
    "billing_api:charge-detail": "billing",
    "billing_api:charge-credit": "billing.credit",
    "billing_api:charge-refund": "billing.cashier",
    "billing_waiver_api:charge-waiver": "billing",  # starts flow late_fee_waiver; 物业经理 approves in it
    "billing_api:payment-list": {"get": "billing", "post": "billing.cashier"},
    "billing_api:payment-detail": "billing",
    "billing_api:closing": "billing.cashier",
    "billing_api:order-list": "billing.cashier",
    "billing_api:order-detail": "billing.cashier",
    "billing_api:order-sync": "billing.cashier",
    "billing_api:wechat-notify": "public",  # signed by the payment provider (orders.receive_notification)
    # fee reports (webapp/billing/reports.py): seen with the billing right
    "billing_reports:overview": "billing",
    "billing_reports:aging": "billing",
    "billing_reports:deposits": "billing",
    "billing_reports:journal": "billing",
    "billing_reports:export_xlsx": "billing",
    "billing_reports:export_csv": "billing",
    "billing_reports_api:summary": "billing",
    "billing_reports_api:aging": "billing",
    "billing_reports_api:deposits": "billing",
    "billing_reports_api:journal": "billing",
    "billing:runs": {"get": "billing", "post": "billing.run"},
    "billing:run": "billing",
    "billing:run_post": "billing.run",
    "billing:run_discard": "billing.run",
    "billing:bills": "billing",
    "billing:bill_credit": "billing.credit",
    "billing:deposit_refund": "billing.cashier",
    "billing:room_bills": "billing",
    "billing:desk": "billing.cashier",
    "billing:desk_charge": "billing.cashier",
    "billing:order_new": "billing.cashier",
    "billing:order": "billing.cashier",
    "billing:order_sync": "billing.cashier",
    "billing:payment": "billing",
    "billing:closing": "billing.cashier",
    # meters (webapp/meters): seen with the room, entered with the meter reading right
    "meters:entry": "meters",
    "meters:import_template": "meters",
    "meters_api:room-meters": {"get": "rooms", "post": "meters"},
    "meters_api:room-consumption": "rooms",
    "meters_api:meter-readings": {"get": "rooms", "post": "meters"},
    "meters_api:entry": "meters",
    # parking (webapp/parking): seen with the parking right, written with the manage right
    "parking:directory": "parking",
    "parking:space": "parking",
    "parking:contract_new": "parking.manage",
    "parking:contract_end": "parking.manage",
    "parking:vehicle_add": "parking.manage",
    "parking:vehicle_remove": "parking.manage",
    "parking_api:space-list": "parking",
    "parking_api:space-detail": "parking",
    "parking_api:space-vehicles": "parking.manage",
    "parking_api:contract-list": {"get": "parking", "post": "parking.manage"},
    "parking_api:contract-detail": "parking",
    "parking_api:contract-end": "parking.manage",
    "parking_api:vehicle-remove": "parking.manage",
    "parking_api:booking-start": "parking.manage",
    # passes (webapp/passes): the gate, the steward's decoration approvals, the holder's pass page
    "passes:guard": "passes.gate",
    "passes_api:admit": "passes.gate",
    "passes:decorations": "passes.decoration",
    "passes:decide": "passes.decoration",
    "passes:show": "public",  # by the pass's signed token (webapp/passes/tokens.py), no sign-in
    # community notices and questionnaires (webapp/community)
    "community:notices": "community.notices",
    "community:notice_new": "community.notices",
    "community:notice": "community.notices",
    "community:notice_edit": "community.notices",
    "community:notice_withdraw": "community.notices",
    "community:surveys": "community.surveys",
    "community:survey_new": "community.surveys",
    "community:survey": "community.surveys",
    "community:survey_send": "community.surveys",
    "community:survey_close": "community.surveys",
    # supervision, design, audit, administration
    "sla_dashboard": "sla",
    "sla_tasks": "sla",
    "api-sla-summary": "sla",
    "designer:designer_home": "designer",
    "designer:designer_draft": "designer",
    "designer_flows:versions": "designer",
    "designer_flows:compare": "designer",
    "designer_flows:version_bpmn": "designer",
    "designer_flows:migrate": "migrate",
    "designer_flows:migration": "migrate",
    "designer_flows:waits": "waits",
    "designer_api:lint": "designer",
    "designer_api:check-script": "designer",
    "designer_api:form-preview": "designer",
    "designer_api:catalogue": "designer",
    "designer_api:flows": "designer",
    "designer_api:versions": "designer",
    "designer_api:compare": "designer",
    "designer_api:draft-list": "designer",
    "designer_api:draft-detail": "designer",
    "designer_api:draft-deploy": "designer",
    "designer_api:dry-run": "migrate",
    "designer_api:migration-list": "migrate",
    "designer_api:migration-detail": "migrate",
    "designer_api:waits": "waits",
    "audit:search": "audit",
    "audit:export": "audit",
    "audit:timeline": "audit",
    "audit:person": "audit",
    "audit:reports": "audit",
    "audit:chain": "audit",
    "accounts:people": "people",
    "accounts:person": "people",
    "accounts:roles": "roles",
    "accounts:role_new": "roles",
    "accounts:role": "roles",
}


def area_of(url_name: str, method: str) -> Area | None:
    """The area a route belongs to for this method (None: the route is not declared here)."""
    entry = ROUTES.get(url_name)
    if isinstance(entry, dict):
        entry = entry.get(method.lower()) or entry.get("get")
    return AREAS[entry] if entry else None


def holds(user: Any, area_key: str) -> bool:
    """True when the user holds the area's right (the menu shows it; lists show all)."""
    return AREAS[area_key].held_by(user)


def require(user: Any, area_key: str) -> None:
    """NotAllowed (403) unless the user holds the area's right."""
    area = AREAS[area_key]
    if not area.held_by(user):
        raise NotAllowed(refusal(area))


def refusal(area: Area) -> str:
    if area.message is not None:
        return str(area.message)
    return _("You may not open this: “%(area)s” needs a right your roles do not give.") % {"area": area.label}


def _refused(url_name: str, method: str, user: Any) -> Area | None:
    """The area that refuses this signed-in user this route (None: the route opens)."""
    area = area_of(url_name, method)
    if area is None or area.opens_for(user):
        return None
    return area


class RightsMiddleware:
    """Pages: a signed-in person without the right of the route's area gets the 403 page before
    the view runs. The anonymous pass on to the view's login_required; API routes are HasRight's."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        match = request.resolver_match
        user = getattr(request, "user", None)
        if match is None or request.path.startswith("/api/") or not getattr(user, "is_authenticated", False):
            return None
        area = _refused(match.view_name, request.method or "GET", user)
        if area is None:
            return None
        from webapp.common.errors import error_page

        return error_page(request, NotAllowed(refusal(area)))


class HasRight(BasePermission):
    """The API's default permission class: signed in, and holding the right of the route's area
    (a 401 for the anonymous, a 403 JSON for the others)."""

    message = gettext_lazy("You may not do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return False
        match = getattr(request, "resolver_match", None)
        if match is None:
            return True
        area = _refused(match.view_name, request.method or "GET", user)
        if area is not None:
            self.message = refusal(area)
            return False
        return True
