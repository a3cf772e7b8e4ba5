"""Questionnaires (满意度问卷): write one (`do_create_survey`), send it to the estate's residents
(`do_send_survey`: one Recipient per mobile, one SMS each after the commit), answer it once
(`do_answer`), close it (`do_close_survey`), and its results (`results`).

The link of each SMS carries a token: `token_of(recipient)` signs "<recipient id>.<nonce>" with
SECRET_KEY (django.core.signing, salt SALT); the nonce is 16 random bytes of the row. Nobody can
make a token without SECRET_KEY, a changed token fails its signature, and the database alone
holds no token. `recipient_of_token` is the only way from a token to a row (None for anything
else: the page answers 404).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Avg, Count
from django.urls import reverse
from django.utils.translation import gettext as _

from engine import audit, clock
from engine.adapters import CallContext
from engine.adapters.registry import get_adapter
from engine.errors import Conflict, FormInvalid, checked_text
from engine.ids import parse_id
from engine.models.audit import AuditAction

from . import access
from .audience import residents_of
from .models import Answer, Question, QuestionKind, Recipient, Survey, SurveyStatus

logger = logging.getLogger(__name__)

SALT = "community.survey-answer"
TEMPLATE_ID = "SURVEY_INVITATION"
TEMPLATES = [
    {
        "template_id": TEMPLATE_ID,
        "channel": "sms",
        "name": "满意度问卷邀请",
        "subject": "",
        "content": "${name}您好，${estate}邀请您参加满意度问卷《${title}》，请点击 ${link} 填写，感谢您的支持。",
    },
]
MAX_QUESTIONS = 10
MAX_CHOICES = 8
TEXT_ANSWER_MAX = 1000


class Errors(dict[str, list[str]]):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


# --- tokens -----------------------------------------------------------------------------------


def token_of(recipient: Recipient) -> str:
    return signing.Signer(salt=SALT).sign(f"{recipient.pk}.{recipient.nonce}")


def recipient_of_token(token: Any) -> Recipient | None:
    """The recipient the token was made for, or None (malformed, changed, unknown)."""
    text = str(token or "")
    if len(text) > 200:
        return None
    try:
        value = signing.Signer(salt=SALT).unsign(text)
    except signing.BadSignature:
        return None
    pk_text, _dot, nonce = value.partition(".")
    pk = parse_id(pk_text)
    row = Recipient.objects.select_related("survey__project").filter(pk=pk).first() if pk else None
    if row is None or not secrets.compare_digest(row.nonce, nonce):
        return None
    return row


def link_of(recipient: Recipient, base: str) -> str:
    return base.rstrip("/") + reverse("owner:survey", args=[token_of(recipient)])


# --- writing a questionnaire --------------------------------------------------------------------


@dataclass
class QuestionInput:
    kind: str
    text: str
    choices: list[str] = field(default_factory=list)
    required: bool = True


def check_survey(user: Any, body: Any) -> tuple[Any, str, str, list[QuestionInput]]:
    """project, title, intro, and the questions q<N>_kind / q<N>_text / q<N>_choices (one choice
    a line) / q<N>_optional for N = 1..MAX_QUESTIONS; rows without a text are skipped."""
    access.check_may_survey(user)
    errors = Errors()
    number = parse_id(body.get("project"))
    project = access.projects_of(user).filter(pk=number).first() if number else None
    if project is None:
        errors.add("project", _("Choose an estate of your company."))
    title = checked_text(body.get("title"), "title")
    intro = checked_text(body.get("intro"), "intro")
    if not title:
        errors.add("title", _("Enter a title."))
    elif len(title) > 100:
        errors.add("title", _("At most %(n)d characters.") % {"n": 100})
    if len(intro) > 500:
        errors.add("intro", _("At most %(n)d characters.") % {"n": 500})
    questions: list[QuestionInput] = []
    for n in range(1, MAX_QUESTIONS + 1):
        name = f"q{n}"
        text = checked_text(body.get(f"{name}_text"), f"{name}_text")
        if not text:
            continue
        kind = str(body.get(f"{name}_kind") or "")
        if kind not in QuestionKind.values:
            errors.add(f"{name}_kind", _("Choose the kind of question."))
        if len(text) > 200:
            errors.add(f"{name}_text", _("At most %(n)d characters.") % {"n": 200})
        raw = checked_text(body.get(f"{name}_choices"), f"{name}_choices")
        choices = [c.strip()[:100] for c in raw.splitlines() if c.strip()]
        if kind == QuestionKind.CHOICE and not 2 <= len(choices) <= MAX_CHOICES:
            errors.add(f"{name}_choices", _("Give 2 to %(n)d choices, one a line.") % {"n": MAX_CHOICES})
        elif kind == QuestionKind.CHOICE and len(set(choices)) != len(choices):
            errors.add(f"{name}_choices", _("The choices must differ."))
        optional = str(body.get(f"{name}_optional") or "") in ("1", "on", "true")
        questions.append(
            QuestionInput(kind, text, choices if kind == QuestionKind.CHOICE else [], not optional)
        )
    if not questions:
        errors.add("q1_text", _("Write at least one question."))
    if errors:
        raise FormInvalid(errors)
    return project, title, intro, questions


def _audit(user: Any, survey: Survey, what: str, **details: Any) -> None:
    audit.event(
        AuditAction.UPDATE_DATA, instance=None, actor=user, company_id=survey.company_id,
        element_id=f"community.survey:{survey.pk}",
        details={"survey": survey.pk, "title": survey.title, "action": what, **details},
    ).save()  # fmt: skip


def do_create_survey(user: Any, body: Any) -> Survey:
    """A questionnaire in draft (nothing is sent yet)."""
    project, title, intro, questions = check_survey(user, body)
    with transaction.atomic():
        survey = Survey.objects.create(
            company_id=project.company_id, project=project, title=title, intro=intro,
            created_at=clock.now(), created_by=user,
        )  # fmt: skip
        Question.objects.bulk_create(
            Question(
                survey=survey, position=i, kind=q.kind, text=q.text, choices=q.choices, required=q.required
            )
            for i, q in enumerate(questions, start=1)
        )
        _audit(user, survey, "create", project=project.name, questions=len(questions))
    return survey


def do_send_survey(user: Any, survey: Survey, base_url: str) -> int:
    """Draft → sent: one recipient per mobile of the estate's current residents; the SMS with each
    one's link go out after the commit. Returns the number of recipients."""
    access.check_may_survey(user)
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.status != SurveyStatus.DRAFT:
            raise Conflict(_("This questionnaire was sent already."))
        people = residents_of(locked.project_id)
        if not people:
            raise FormInvalid({"project": [_("Nobody lives in this estate yet: there is nobody to ask.")]})
        rows = [_recipient(locked, p) for p in people]
        Recipient.objects.bulk_create(rows)
        now = clock.now()
        Survey.objects.filter(pk=locked.pk).update(status=SurveyStatus.SENT, sent_at=now, sent_by=user)
        _audit(user, locked, "send", recipients=len(people))
        _deliver_after_commit(locked.pk, base_url)
    survey.refresh_from_db()
    return len(people)


def _recipient(survey: Survey, person: Any) -> Recipient:
    return Recipient(
        survey=survey, mobile=person.mobile, customer_id=person.customer_id, name=person.name[:100],
        nonce=secrets.token_urlsafe(16),
    )  # fmt: skip


def _deliver_after_commit(survey_id: int, base_url: str) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(lambda: deliver_invitations(survey_id, base_url))
    else:
        from .tasks import deliver_invitations_task

        transaction.on_commit(lambda: deliver_invitations_task.delay(survey_id, base_url))


def deliver_invitations(survey_id: int, base_url: str) -> int:
    """One SMS per recipient through notify/send_sms (idempotency key: survey and recipient, so a
    redelivered task sends nothing twice); one bad number does not stop the others."""
    survey = Survey.objects.select_related("project").get(pk=survey_id)
    found = get_adapter("notify/send_sms")
    if found is None:  # pragma: no cover - the engine registers it
        return 0
    adapter, operation = found
    sent = 0
    for recipient in survey.recipients.order_by("pk").iterator(chunk_size=500):
        context = CallContext(
            idempotency_key=f"survey:{survey.pk}:{recipient.pk}",
            company_id=survey.company_id,
            instance_id=None,
        )
        params = {"to": recipient.mobile, "template": TEMPLATE_ID, "params": {
            "name": recipient.name or _("Resident"), "estate": survey.project.name, "title": survey.title,
            "link": link_of(recipient, base_url),
        }}  # fmt: skip
        try:
            adapter.call(operation.name, params, context)
            sent += 1
        except Exception:
            logger.exception("questionnaire %s to recipient %s not sent", survey.pk, recipient.pk)
    return sent


def do_close_survey(user: Any, survey: Survey) -> Survey:
    """Sent → closed: no more answers."""
    access.check_may_survey(user)
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.status != SurveyStatus.SENT:
            raise Conflict(_("Only a questionnaire that was sent can be closed."))
        Survey.objects.filter(pk=locked.pk).update(
            status=SurveyStatus.CLOSED, closed_at=clock.now(), closed_by=user
        )
        _audit(user, locked, "close")
    survey.refresh_from_db()
    return survey


# --- answering --------------------------------------------------------------------------------


def check_answers(survey: Survey, body: Any) -> list[Answer]:
    """The answers of the body (field q<id> per question), unsaved; FormInvalid naming each field."""
    errors = Errors()
    answers: list[Answer] = []
    for question in survey.questions.all():
        name = f"q{question.pk}"
        raw = checked_text(body.get(name), name)
        if not raw:
            if question.required:
                errors.add(name, _("Please answer this question."))
            continue
        answer = Answer(question=question)
        if question.kind == QuestionKind.RATING:
            if raw not in ("1", "2", "3", "4", "5"):
                errors.add(name, _("Choose 1 to 5 stars."))
                continue
            answer.rating = int(raw)
        elif question.kind == QuestionKind.CHOICE:
            if raw not in question.choices:
                errors.add(name, _("Choose one of the answers given."))
                continue
            answer.choice = raw
        else:
            if len(raw) > TEXT_ANSWER_MAX:
                errors.add(name, _("At most %(n)d characters.") % {"n": TEXT_ANSWER_MAX})
                continue
            answer.text = raw
        answers.append(answer)
    if errors:
        raise FormInvalid(errors)
    return answers


def do_answer(recipient: Recipient, body: Any) -> Recipient:
    """Record the recipient's answers, once: Conflict when they answered already or the
    questionnaire is closed (nothing changes)."""
    survey = recipient.survey
    answers = check_answers(survey, body)
    with transaction.atomic():
        locked = Recipient.objects.select_for_update().select_related("survey").get(pk=recipient.pk)
        if locked.answered_at is not None:
            raise Conflict(_("You have answered this questionnaire already. Thank you!"))
        if not locked.survey.is_open():
            raise Conflict(_("This questionnaire is closed."))
        for answer in answers:
            answer.recipient = locked
        Answer.objects.bulk_create(answers)
        Recipient.objects.filter(pk=locked.pk).update(answered_at=clock.now())
    recipient.refresh_from_db()
    return recipient


def surveys_for_mobile(mobile: str) -> list[Recipient]:
    """The questionnaires sent to this mobile, newest first (the resident's list)."""
    return list(
        Recipient.objects.filter(mobile=mobile, survey__status__in=[SurveyStatus.SENT, SurveyStatus.CLOSED])
        .select_related("survey__project")
        .order_by("-survey__sent_at", "-pk")
    )


# --- results ----------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    average: float | None = None
    counts: list[tuple[str, int]] = field(default_factory=list)  # choice or stars → answers
    texts: list[str] = field(default_factory=list)


@dataclass
class Results:
    recipients: int
    responses: int
    questions: list[QuestionResult]

    def rate(self) -> int:
        return round(100 * self.responses / self.recipients) if self.recipients else 0


def results(survey: Survey, texts: int = 20) -> Results:
    """Response counts, the average of each rating question, the counts of each choice, the latest
    text answers."""
    recipients = survey.recipients.count()
    responses = survey.recipients.filter(answered_at__isnull=False).count()
    out = []
    for question in survey.questions.all():
        rows = Answer.objects.filter(question=question)
        result = QuestionResult(question, rows.count())
        if question.kind == QuestionKind.RATING:
            result.average = rows.aggregate(avg=Avg("rating"))["avg"]
            by = dict(rows.values_list("rating").annotate(n=Count("pk")))
            result.counts = [(f"{s}★", by.get(s, 0)) for s in range(5, 0, -1)]
        elif question.kind == QuestionKind.CHOICE:
            by = dict(rows.values_list("choice").annotate(n=Count("pk")))
            result.counts = [(c, by.get(c, 0)) for c in question.choices]
        else:
            result.texts = list(rows.order_by("-pk").values_list("text", flat=True)[:texts])
        out.append(result)
    return Results(recipients, responses, out)
