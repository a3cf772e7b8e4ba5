from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from engine.models import Task
from webapp.common import tasklist
from webapp.common.params import param


class Pagination(PageNumberPagination):
    """Pages of 50 by default; clients may ask for up to 500 with ?page_size=."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class TaskPagination(BasePagination):
    """GET /api/tasks/: keyset pages (webapp/common/tasklist.py). `next`, `previous` and `last` are
    links with an opaque `cursor`; `count` is exact up to 1,000 (`count_exact` true), else 1,000
    with `count_exact` false. Page numbers are not supported: `page` other than 1 is a 400."""

    page_size = 50
    max_page_size = 500
    cursor_query_param = "cursor"

    def __init__(self) -> None:
        self.page: tasklist.Page | None = None
        self.count: tuple[int, bool] = (0, True)
        self.request: Request | None = None

    def get_page_size(self, request: Request) -> int:
        try:
            size = int(param(request.query_params, "page_size", limit=None))
        except (TypeError, ValueError):
            return self.page_size
        return min(size, self.max_page_size) if size > 0 else self.page_size

    def cursor(self, request: Request, order: str) -> tasklist.Cursor | None:
        number = param(request.query_params, "page", limit=None)
        if number and number != "1":
            raise ValidationError(
                {"page": ["page numbers are not supported: follow the next and previous links"]}
            )
        text = param(request.query_params, self.cursor_query_param, limit=None)
        if not text:
            return None
        try:
            return tasklist.decode(text, order)
        except tasklist.BadCursor:
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        "not a cursor of this list: use the next, previous or last link as given"
                    ]
                }
            ) from None

    def paginate_list(
        self,
        tasks: tasklist.TaskList,
        rows: Callable[[QuerySet[Task]], QuerySet[Task]],
        order: str,
        request: Request,
    ) -> list[Task]:
        self.request = request
        cursor = self.cursor(request, order)
        self.page = tasklist.page(tasks, rows, order, cursor, self.get_page_size(request))
        self.count = tasks.count()
        return self.page.object_list

    def link(self, cursor: str | None) -> str | None:
        if cursor is None or self.request is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), "page")
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        count, exact = self.count
        return Response(
            {
                "count": count,
                "count_exact": exact,
                "next": self.link(self.page.next),
                "previous": self.link(self.page.previous),
                "last": self.link(self.page.last),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "count_exact", "next", "previous", "last", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123, "description": "exact up to 1,000"},
                "count_exact": {
                    "type": "boolean",
                    "description": "false: more than 1,000 (count is 1,000)",
                },
                "next": {**link, "description": "the next page (cursor link)"},
                "previous": {**link, "description": "the previous page; null on the first"},
                "last": {**link, "description": "the last page; null on the last"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "position of a page, from a next, previous or last link (opaque)",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"rows per page (default {self.page_size}, at most {self.max_page_size})",
                "schema": {"type": "integer"},
            },
        ]
