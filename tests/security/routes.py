"""Every URL pattern of the site, from Django's resolver, and what each one's parameters name.

The route walk and the CSRF tests build their requests from here, so a new route is walked the
day it is added: a route with a parameter that nothing here names fails the tests with the
route's name until KINDS (or VALUES) says what kind of object the parameter is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

HTTP_METHODS = ("get", "post", "put", "patch", "delete")

# url name → kind of object its <pk>/<key> parameter is; the world (conftest.py) has one of each.
KINDS: dict[str, str] = {
    # master data
    "room-detail": "room",
    "customer-detail": "customer",
    "customer-audit-problems": "customer",
    "customer_edit": "customer",
    "customer": "customer",
    "room": "room",
    "import-job-detail": "import",
    "import-job-skip-bad-rows": "import",
    "import_job": "import",
    "import_job_rerun": "import",
    "import_job_errors": "import",
    # residents
    "residents_api:room-residents": "room",
    "residents:add": "room",
    "residents_api:customer-rooms": "customer",
    "residents_api:move-out": "residency",
    "residents:move_out": "residency",
    # the owner's channel
    "owner:room": "room",
    "owner:repair": "repair",
    "owner:repair_evaluate": "repair",
    "owner:repair_photo": "repair_photo",
    "owner:complaint": "instance",
    "owner:notice": "notice",
    "owner:movein_slot": "batch_room",
    "owner:defect": "defect",
    "owner:defect_photo": "photo",
    # community notices and questionnaires
    "community:notice": "notice",
    "community:notice_edit": "notice",
    "community:notice_withdraw": "notice",
    "community:survey": "survey",
    "community:survey_send": "survey",
    "community:survey_close": "survey",
    "owner:order": "payment_order",
    "owner:receipt": "payment",
    "owner:pass": "pass",
    "owner:pass_revoke": "pass",
    "owner:callback_invite": "task",  # the 回访 task's SMS to its customer (staff)
    # passes
    "passes:decide": "pass",
    # 云通行 (webapp/visits)
    "visits:pass": "visit_pass",
    "visits:booking_visited": "visit_booking",
    "visits_api:booking-visited": "visit_booking",
    # meters
    "meters_api:room-meters": "room",
    "meters_api:room-consumption": "room",
    "meters_api:meter-readings": "meter",
    # sales
    "sales_api:subscription-detail": "subscription",
    "sales:subscription_detail": "subscription",
    # move-in
    "movein_api:contractor-detail": "contractor",
    "movein_api:batch-detail": "batch",
    "movein:batch": "batch",
    "movein_api:room-detail": "batch_room",
    "movein_api:room-acceptance": "batch_room",
    "movein_api:room-defects": "batch_room",
    "movein:room": "batch_room",
    "movein:defect_record": "batch_room",
    "movein_api:defect-detail": "defect",
    "movein_api:defect-photos": "defect",
    "movein:defect": "defect",
    "movein:defect_photos": "defect",
    "movein_api:photo-content": "photo",
    "movein:photo": "photo",
    "movein:photo_thumb": "photo",
    # fee setup
    "fees_api:item-detail": "fee_item",
    "fees_api:item-versions": "fee_item",
    "fees:item": "fee_item",
    "fees:version_new": "fee_item",
    # parking
    "parking_api:space-detail": "parking_space",
    "parking_api:space-vehicles": "parking_space",
    "parking:space": "parking_space",
    "parking:contract_new": "parking_space",
    "parking:vehicle_add": "parking_space",
    "parking_api:contract-detail": "parking_contract",
    "parking_api:contract-end": "parking_contract",
    "parking:contract_end": "parking_contract",
    "parking_api:vehicle-remove": "vehicle",
    "parking:vehicle_remove": "vehicle",
    # billing
    "billing_api:run-detail": "billing_run",
    "billing_api:run-post": "billing_run",
    "billing_api:run-discard": "billing_run",
    "billing_api:run-lines": "billing_run",
    "billing:run": "billing_run",
    "billing:run_post": "billing_run",
    "billing:run_discard": "billing_run",
    "billing_api:charge-detail": "charge",
    "billing_api:charge-credit": "charge",
    "billing_api:charge-refund": "charge",
    "billing:bill_credit": "charge",
    "billing:deposit_refund": "charge",
    "billing_waiver_api:charge-waiver": "charge",
    "billing:room_bills": "room",
    "billing_api:payment-detail": "payment",
    "billing:payment": "payment",
    "billing_api:order-detail": "payment_order",
    "billing_api:order-sync": "payment_order",
    "billing:order": "payment_order",
    "billing:order_sync": "payment_order",
    # repairs
    "repairs_api:repair-detail": "repair",
    "repairs_api:repair-photos": "repair",
    "repairs_api:repair-cancel": "repair",
    "repairs_api:repair-reassign": "repair",
    "repairs:detail": "repair",
    "repairs:photos": "repair",
    "repairs:cancel": "repair",
    "repairs_api:photo-content": "repair_photo",
    "repairs:photo": "repair_photo",
    "repairs:photo_thumb": "repair_photo",
    # engine
    "process-definition-detail": "version",
    "process-definition-diagram": "version",
    "designer_flows:version_bpmn": "version",
    "process-instance-detail": "instance",
    "process-instance-audit": "instance",
    "process-instance-cancel": "instance",
    "instance_cancel": "instance",
    "instance": "instance",
    "audit:timeline": "instance",
    "task-detail": "task",
    "task-claim": "task",
    "task-unclaim": "task",
    "task-complete": "task",
    "task-pause": "task",
    "task-resume": "task",
    "task": "task",
    "task_claim": "task",
    "task_unclaim": "task",
    "task_pause": "task",
    "task_resume": "task",
    "incident-detail": "incident",
    "incident-retry": "incident",
    "incident_retry": "incident",
    "alert-read": "alert",
    "alert_open": "alert",
    "alert_read": "alert",
    # designer
    "designer_api:versions": "flow",
    "designer_flows:versions": "flow",
    "designer_flows:compare": "flow",
    "designer_flows:migrate": "flow",
    "designer_flows:waits": "flow",
    "start": "flow",
    "designer_api:draft-detail": "draft",
    "designer_api:draft-deploy": "draft",
    "designer:designer_draft": "draft",
    "designer_api:migration-detail": "migration",
    "designer_flows:migration": "migration",
    # people and roles
    "audit:person": "user",
    "accounts:person": "user",
    "accounts:role": "role",
}

# Parameters that are not objects: a fixed value to put in the URL.
VALUES: dict[tuple[str, str], str] = {
    ("import_template", "kind"): "rooms",
    ("audit:export", "kind"): "csv",
    ("api-lookup", "source"): "customer",
    ("owner:survey", "token"): "1.not-a-token:x",  # the questionnaire by signed token: any other is a 404
    ("passes:show", "token"): "not-a-token",  # the pass page by signed token: any other is a 404
    ("visits:book", "token"): "not-a-token",  # the buyer's booking page by signed token: any other is a 404
    (
        "owner:callback_answer",
        "token",
    ): "not-a-token",  # a complaint's 回访 by signed token: any other is a 404
}
FORMAT = "json"  # DRF's format-suffix routes (…/tasks/1.json): the same views again


@dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern, e.g. "api/^tasks/(?P<pk>[^/.]+)/claim/$"
    name: str  # with namespaces, e.g. "designer_api:draft-detail"
    params: tuple[str, ...]
    callback: Any = field(compare=False, hash=False)

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def is_admin(self) -> bool:
        return self.pattern.startswith("admin/")

    @property
    def kind(self) -> str | None:
        """The kind of object the route's id parameter names (None: the route takes no object)."""
        return KINDS.get(self.name)

    def object_params(self) -> list[str]:
        return [p for p in self.params if p != "format" and (self.name, p) not in VALUES]

    def methods(self) -> list[str]:
        return allowed_methods(self.callback)

    def url(self, ids: dict[str, Any]) -> str:
        """The route's URL with its parameters filled: ids maps kinds to the object's id or key."""
        kwargs: dict[str, Any] = {}
        for param in self.params:
            if param == "format":
                kwargs[param] = FORMAT
            elif (self.name, param) in VALUES:
                kwargs[param] = VALUES[(self.name, param)]
            elif self.kind is not None:
                kwargs[param] = ids[self.kind]
            else:
                raise AssertionError(
                    f"route {self.name!r} ({self.pattern}) takes <{param}>, but tests/security/routes.py "
                    "does not say what kind of object it is: add it to KINDS (and make one in the world "
                    "of tests/security/conftest.py) or to VALUES"
                )
        return reverse(self.name, kwargs=kwargs)


def _walk(patterns: list[Any], prefix: str, namespace: str | None) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            name = (f"{namespace}:{entry.name}" if namespace else entry.name) if entry.name else ""
            params = tuple(entry.pattern.regex.groupindex)
            yield Route(pattern, name, params, entry.callback)


def all_routes() -> list[Route]:
    """Every route of the site (the admin's own included), namespaces resolved."""
    return list(_walk(get_resolver().url_patterns, "", None))


def site_routes() -> list[Route]:
    """Every route but the admin's internals (checked separately, for anonymous and non-staff)."""
    routes = [r for r in all_routes() if not r.is_admin]
    unnamed = [r.pattern for r in routes if not r.name]
    assert not unnamed, f"routes without a name (name them so the security tests can walk them): {unnamed}"
    return routes


def allowed_methods(callback: Any) -> list[str]:
    """The HTTP methods a view takes (of GET, POST, PUT, PATCH, DELETE)."""
    cls = getattr(callback, "cls", None)  # Django REST framework
    if cls is not None:
        allowed = {m.lower() for m in getattr(cls, "http_method_names", HTTP_METHODS)}
        actions = getattr(callback, "actions", None)
        if actions:  # a viewset route: the methods the router mapped to an action
            return [m for m in HTTP_METHODS if m in actions and m in allowed]
        return [m for m in HTTP_METHODS if hasattr(cls, m) and m in allowed]
    view_class = getattr(callback, "view_class", None)  # Django class-based views
    if view_class is not None:
        return [m for m in HTTP_METHODS if m in view_class.http_method_names and hasattr(view_class, m)]
    found = _decorated_methods(callback)  # require_GET / require_POST / require_http_methods
    return found if found is not None else ["get", "post"]


def _decorated_methods(func: Any) -> list[str] | None:
    seen = 0
    while func is not None and seen < 20:
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if (
                isinstance(value, (list, tuple, set, frozenset))
                and value
                and all(isinstance(v, str) and v.lower() in (*HTTP_METHODS, "head", "options") for v in value)
            ):
                return [m for m in HTTP_METHODS if m.upper() in {v.upper() for v in value}]
        func = getattr(func, "__wrapped__", None)
        seen += 1
    return None
