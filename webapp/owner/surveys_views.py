"""Resident pages of the owner's channel: my questionnaires (满意度) and the answer page.

The answer page is reached by the signed token of the SMS link (webapp/community/surveys.py): it
opens without a resident session for the token's recipient only; a signed-in resident opens it
from /my/surveys/ (the same token) and gets a 404 for a token of another mobile. A token that is
malformed, changed or unknown is a 404. A recipient answers once: a second answer, or one after
the questionnaire closed, is refused with a clear message (409) and changes nothing.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from engine.errors import Conflict, FormInvalid
from webapp.community import surveys

from . import session


@require_http_methods(["GET"])
@session.resident_required
def survey_list(request: HttpRequest) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    rows = [(r, surveys.token_of(r)) for r in surveys.surveys_for_mobile(resident.mobile)]
    return render(request, "owner/surveys/list.html", {"resident": resident, "rows": rows})


@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    recipient = surveys.recipient_of_token(token)
    resident = session.resident_of(request)
    if recipient is None or (resident is not None and resident.mobile != recipient.mobile):
        raise Http404("no such questionnaire")
    errors: dict[str, list[str]] = {}
    refused = ""
    status = 200
    if request.method == "POST":
        try:
            surveys.do_answer(recipient, request.POST)
        except FormInvalid as exc:
            errors, status = exc.field_errors, 400
        except Conflict as exc:
            refused, status = str(exc), 409
        else:
            return redirect("owner:survey", token)
    context = {
        "resident": resident, "recipient": recipient, "survey": recipient.survey, "token": token,
        "questions": [(q, errors.get(f"q{q.pk}", [])) for q in recipient.survey.questions.all()], "errors": errors, "refused": refused,
        "stars": ["5", "4", "3", "2", "1"],
    }  # fmt: skip
    return render(request, "owner/surveys/answer.html", context, status=status)
