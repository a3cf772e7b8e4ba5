"""Request bodies above their route's limit are refused with 413 before they are read
(webapp/middleware.py RequestSizeLimitMiddleware, webapp/common/limits.py; docs/security.md).

Issue 12 found an anonymous client holding only a CSRF cookie making the server write 287 MB to /tmp
for a POST to the login page (the CSRF check parsed the multipart body before refusing it), and an
employee's start and an analyst's deploy spooling 300 MB each before their 400/403.

No test sends the megabytes: a declared Content-Length far above the limit comes with a body that
fails the test if it is read at all, and a chunked body is a stream that yields zeros lazily and
counts what was taken. Every test checks that nothing was spooled: the temporary directory (of
Python and of Django's uploads) is the test's own and stays empty, and TemporaryUploadedFile (where
Django's parser writes a large file) is never made.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import signals
from django.core.files import uploadedfile
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client

from webapp.common.limits import body_limit

DECLARED = 300 * 1024 * 1024  # what the tester sent
MULTIPART = "multipart/form-data; boundary=anju-limits"
LOGIN = "/accounts/login/"
START = "/api/process-instances/"
DEPLOY = "/api/process-definitions/"
PHOTOS = "/api/movein/rooms/1/defects/"  # refused before the room is looked up, so any id will do


class MustNotBeRead:
    """A request body that fails the test when anything reads it."""

    def read(self, *args: Any) -> bytes:
        raise AssertionError("the body of a refused request was read")

    readline = read


class Zeros:
    """A chunked body of `size` zero bytes, made as it is read; `taken` counts what was read."""

    def __init__(self, size: int = DECLARED) -> None:
        self.left = size
        self.taken = 0

    def read(self, size: int = -1) -> bytes:
        size = self.left if size is None or size < 0 else min(size, self.left)
        self.left -= size
        self.taken += size
        return b"\0" * size

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


@pytest.fixture(autouse=True)
def no_spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every temporary file of the test goes to tmp_path, which must stay empty, and Django's
    TemporaryUploadedFile must never be made."""
    made: list[Any] = []
    original = uploadedfile.TemporaryUploadedFile.__init__

    def record(self: Any, *args: Any, **kwargs: Any) -> None:
        made.append(args)
        original(self, *args, **kwargs)

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.setattr(settings, "FILE_UPLOAD_TEMP_DIR", str(tmp_path))
    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", record)
    began = time.monotonic()
    yield made
    assert time.monotonic() - began < 2
    assert made == []
    assert list(tmp_path.iterdir()) == []


def declared(client: Any, path: str, length: int = DECLARED) -> Any:
    """A POST that declares `length` bytes and sends a body that must not be read."""
    return client.generic(
        "POST",
        path,
        b"x",
        content_type=MULTIPART,
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": MustNotBeRead()},
    )


def chunked(client: Any, path: str, body: Zeros) -> Any:
    """A POST with a chunked body, as gunicorn hands it on: no Content-Length, a stream it ends."""
    return client.generic(
        "POST",
        path,
        content_type=MULTIPART,
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": body, "wsgi.input_terminated": True},
    )


def assert_refused_as_page(response: Any) -> None:
    assert response.status_code == 413, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    assert "16 KB" in response.content.decode()


def assert_refused_as_json(response: Any, limit: int) -> None:
    assert response.status_code == 413, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert "请求过大" in detail and "larger than" in detail, detail
    assert body_limit(response.wsgi_request.path_info) == limit


# --- the sign-in form: anonymous, with only a CSRF cookie ------------------------------------------


def test_a_login_post_declaring_300_mb_is_refused_before_csrf_reads_it() -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "a" * 32
    assert_refused_as_page(declared(client, LOGIN))


def test_a_chunked_login_post_is_refused_once_it_passes_the_limit() -> None:
    body = Zeros()
    assert_refused_as_page(chunked(Client(enforce_csrf_checks=True), LOGIN, body))
    assert body.taken == settings.ANJU_MAX_FORM_REQUEST_BYTES + 1


def test_a_chunked_login_post_within_the_limit_is_read_as_usual() -> None:
    """Within its limit a chunked body reaches Django with its length (here: no multipart at all,
    so the CSRF check refuses it, as it refuses any POST without a token)."""
    body = Zeros(1000)
    response = chunked(Client(enforce_csrf_checks=True), LOGIN, body)
    assert response.status_code == 403 and body.taken == 1000


def test_the_admin_login_and_the_token_endpoint_are_small_forms_too() -> None:
    limit = settings.ANJU_MAX_FORM_REQUEST_BYTES
    assert body_limit("/admin/login/") == body_limit("/api/auth/token/") == limit
    assert_refused_as_json(declared(Client(), "/api/auth/token/", limit + 1), limit)


def test_the_residents_sign_in_is_a_small_form_and_their_repair_report_takes_photos() -> None:
    small, photos = settings.ANJU_MAX_FORM_REQUEST_BYTES, settings.ANJU_MAX_PHOTO_REQUEST_BYTES
    assert body_limit("/my/login/") == body_limit("/my/login/code/") == body_limit("/my/logout/") == small
    assert body_limit("/my/repairs/new/") == body_limit("/repairs/12/photos/") == photos
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "a" * 32
    assert_refused_as_page(declared(client, "/my/login/code/"))


# --- the API: an employee's start, an analyst's deploy, a photo --------------------------------------


def test_an_employees_start_declaring_300_mb_is_refused(api: Callable[[str], Any]) -> None:
    assert_refused_as_json(declared(api("agent"), START), settings.ANJU_MAX_REQUEST_BYTES)


def test_a_chunked_start_is_refused_once_it_passes_the_limit(api: Callable[[str], Any]) -> None:
    body = Zeros()
    assert_refused_as_json(chunked(api("agent"), START, body), settings.ANJU_MAX_REQUEST_BYTES)
    assert body.taken == settings.ANJU_MAX_REQUEST_BYTES + 1


def test_an_analysts_deploy_declaring_300_mb_is_refused(api: Callable[[str], Any]) -> None:
    assert_refused_as_json(declared(api("analyst"), DEPLOY), settings.ANJU_MAX_DEPLOY_REQUEST_BYTES)


def test_a_chunked_deploy_is_refused_once_it_passes_the_limit(
    api: Callable[[str], Any], settings: Any
) -> None:
    """The deploy's limit is above FILE_UPLOAD_MAX_MEMORY_SIZE, so a chunked body near it would be
    kept in a temporary file; made small here, the test's temporary directory shows nothing was."""
    settings.ANJU_MAX_DEPLOY_REQUEST_BYTES = 100_000
    body = Zeros()
    assert_refused_as_json(chunked(api("analyst"), DEPLOY, body), 100_000)
    assert body.taken == 100_001


def test_photos_above_their_limit_are_refused_on_the_api_and_the_page(
    api: Callable[[str], Any], web: Callable[[str], Any]
) -> None:
    limit = settings.ANJU_MAX_PHOTO_REQUEST_BYTES
    assert_refused_as_json(declared(api("engineer"), PHOTOS, limit + 1), limit)
    assert declared(web("engineer"), "/movein/defects/1/photos/", limit + 1).status_code == 413


def test_the_upload_limits_follow_the_documented_file_limits() -> None:
    """A file just too large still reaches its view, which names it with a 400 (tests/security/
    test_uploads.py); only bodies beyond any acceptable upload are refused unread."""
    assert settings.ANJU_MAX_DEPLOY_REQUEST_BYTES > 4 * settings.ANJU_MAX_UPLOAD_BYTES
    assert settings.ANJU_MAX_IMPORT_REQUEST_BYTES > settings.ANJU_MAX_UPLOAD_BYTES
    assert settings.ANJU_MAX_PHOTO_REQUEST_BYTES > 9 * settings.ANJU_MAX_PHOTO_BYTES
    assert settings.ANJU_MAX_REQUEST_BYTES > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert body_limit("/imports/") == body_limit("/api/imports/") == settings.ANJU_MAX_IMPORT_REQUEST_BYTES
    assert body_limit("/movein/rooms/7/defects/") == settings.ANJU_MAX_PHOTO_REQUEST_BYTES
    assert body_limit("/api/tasks/1/complete/") == settings.ANJU_MAX_REQUEST_BYTES


@pytest.mark.parametrize("path", [LOGIN, START, DEPLOY, PHOTOS])
def test_a_body_of_exactly_the_limit_passes_the_gate(api: Callable[[str], Any], path: str) -> None:
    """At its limit a body is read and judged by its view (an empty multipart here: a 4xx that is
    not 413). The deploy's and the photos' are 8 and 72 MB: declared, not sent."""
    limit = body_limit(path)
    client = api("analyst")
    if limit > 1024 * 1024:
        end = io.BytesIO(b"--anju-limits--\r\n")  # then the client hangs up
        response = client.generic(
            "POST", path, b"x", content_type=MULTIPART, CONTENT_LENGTH=str(limit), **{"wsgi.input": end}
        )
    else:
        response = client.generic("POST", path, b"\0" * limit, content_type=MULTIPART)
    assert response.status_code != 413 and response.status_code < 500, response.content[:300]


# --- the real thing: Django's WSGI handler, as gunicorn calls it ---------------------------------------


def call_wsgi(path: str, **environ: Any) -> tuple[str, dict[str, str], bytes]:
    """One request through webapp's WSGI application (Django's WSGIHandler), no test client."""
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer.update(status=status, headers=dict(headers))

    base = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8099",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": MULTIPART,
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "HTTP_COOKIE": "csrftoken=" + "a" * 32,
    }
    # As Django's test client does: the request_started handler would close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    try:
        result = WSGIHandler()(base | environ, start_response)
        body = b"".join(result)
        result.close()  # type: ignore[attr-defined]
    finally:
        signals.request_started.connect(close_old_connections)
    return answer["status"], answer["headers"], body


@pytest.mark.django_db
@pytest.mark.parametrize("path", [LOGIN, START, DEPLOY, PHOTOS])
def test_the_wsgi_application_refuses_a_declared_300_mb_without_reading(path: str) -> None:
    status, _headers, body = call_wsgi(path, CONTENT_LENGTH=str(DECLARED), **{"wsgi.input": MustNotBeRead()})
    assert status.startswith("413"), (status, body[:300])
    assert "请求过大".encode() in body


@pytest.mark.django_db
@pytest.mark.parametrize("path", [LOGIN, START])
def test_the_wsgi_application_stops_reading_a_chunked_body_at_the_limit(path: str) -> None:
    stream = Zeros()
    status, _headers, body = call_wsgi(
        path, HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": stream, "wsgi.input_terminated": True}
    )
    assert status.startswith("413"), (status, body[:300])
    assert stream.taken == body_limit(path) + 1
