"""Resident pages of the owner's channel: the notices of the estates of my rooms (社区公告, unread
marked; opening one records my read) and my messages (the SMS sent to my mobile, never the
sign-in codes). The rules are in webapp/community."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from webapp.common.params import param
from webapp.community import access as community
from webapp.community import notices
from webapp.community.messages import messages_to

from . import codes, session

PAGE_SIZE = 20


@require_http_methods(["GET"])
@session.resident_required
def notice_list(request: HttpRequest) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    page = Paginator(community.notices_for_resident(resident.customer_ids), PAGE_SIZE).get_page(
        param(request.GET, "page")
    )
    items = list(page.object_list)
    read = notices.read_ids(resident.mobile, [n.pk for n in items])
    rows = [(n, n.pk in read) for n in items]
    return render(request, "owner/notices/list.html", {"resident": resident, "page": page, "rows": rows})


@require_http_methods(["GET"])
@session.resident_required
def notice_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One notice (404 unless it is for one of my rooms' estates); opening it records my read."""
    resident = request.resident  # type: ignore[attr-defined]
    notice = community.access_resident_notice(resident.customer_ids, pk)
    notices.do_record_read(notice, resident.mobile)
    return render(request, "owner/notices/notice.html", {"resident": resident, "notice": notice})


@require_http_methods(["GET"])
@session.resident_required
def message_list(request: HttpRequest) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    rows = messages_to(resident.mobile, hidden_templates=[codes.TEMPLATE_ID])
    page = Paginator(rows, PAGE_SIZE).get_page(param(request.GET, "page"))
    return render(request, "owner/notices/messages.html", {"resident": resident, "page": page})
