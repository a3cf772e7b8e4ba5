"""撤销案件: a case recorded by mistake (or twice) is cancelled from its page by a holder of
engine.cancel_instance, with a reason; engine.actions does the work (open tasks, timers and
service calls cancelled, one audit event with the reason)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from engine import access, actions
from engine.errors import Conflict, FormInvalid
from webapp.common.errors import engine_errors, message

from .views import _instance_page

MAX_REASON = 1000


@require_POST
@login_required
@engine_errors
def instance_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    instance = access.access_instance(user, pk)
    reason = request.POST.get("reason", "").strip()[
        :MAX_REASON
    ]  # do_cancel_instance refuses control characters
    try:
        actions.check_cancel_instance(user, instance)
        actions.do_cancel_instance(user, instance, reason)
    except FormInvalid as exc:
        problems = exc.field_errors.get("reason") or [message(exc)]
        return _instance_page(
            request, instance, status=exc.status, cancel_errors=problems, cancel_reason=reason
        )
    except Conflict as exc:
        return _instance_page(
            request, access.access_instance(user, pk), status=exc.status, alert=message(exc)
        )
    messages.success(request, _("Case %(key)s cancelled.") % {"key": instance.business_key})
    return redirect("instance", pk=pk)
