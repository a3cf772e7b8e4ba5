"""Community notices (社区公告) with their reads, and questionnaires (满意度问卷) with their
recipients and answers (docs/community.md)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Notice(models.Model):
    """A notice of the steward for one estate, or some of its buildings (none chosen: all of it).
    Residents see it from publish_at until the end of ends_on (if any), unless it is withdrawn."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="notices")
    buildings = models.ManyToManyField(
        "realestate.Building", blank=True, related_name="+", verbose_name="楼栋"
    )
    title = models.CharField("标题", max_length=100)
    body = models.TextField("正文")
    publish_at = models.DateTimeField("发布时间")
    ends_on = models.DateField("截止日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("修改时间")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "社区公告"
        ordering = ["-publish_at", "-pk"]
        indexes = [models.Index(fields=["project", "-publish_at"], name="notice_project_time")]
        permissions = [("publish_notice", "可发布、修改和撤回社区公告")]

    def __str__(self) -> str:
        return self.title

    def is_live(self, now: dt.datetime) -> bool:
        """True when residents see it at `now`: published, not withdrawn, not past its end date."""
        today = timezone.localdate(now)
        return (
            self.withdrawn_at is None
            and self.publish_at <= now
            and (self.ends_on is None or self.ends_on >= today)
        )


def live_notices(now: dt.datetime) -> Q:
    """The condition of Notice.is_live for querysets."""
    return Q(withdrawn_at__isnull=True, publish_at__lte=now) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate(now))
    )


class NoticeRead(models.Model):
    """A resident (by verified mobile) opened the notice: once per mobile and notice."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    mobile = models.CharField("手机号", max_length=11)
    read_at = models.DateTimeField("阅读时间")

    class Meta:
        verbose_name = verbose_name_plural = "公告阅读"
        constraints = [models.UniqueConstraint(fields=["notice", "mobile"], name="notice_read_once")]

    def __str__(self) -> str:
        return f"{self.notice_id} · {self.mobile[:3]}****{self.mobile[-4:]}"


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SENT = "sent", "已发送"
    CLOSED = "closed", "已结束"


class Survey(models.Model):
    """A questionnaire of an estate: written as a draft, sent once to the estate's residents (one
    SMS link per mobile), answered once per recipient until it is closed."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField("标题", max_length=100)
    intro = models.CharField("说明", max_length=500, blank=True)
    status = models.CharField("状态", max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "满意度问卷"
        ordering = ["-created_at", "-pk"]
        permissions = [("manage_surveys", "可发起满意度问卷并查看结果")]

    def __str__(self) -> str:
        return self.title

    def is_open(self) -> bool:
        """True while its recipients may answer (sent, not closed)."""
        return self.status == SurveyStatus.SENT


class QuestionKind(models.TextChoices):
    RATING = "rating", "评分(1–5)"
    CHOICE = "choice", "单选"
    TEXT = "text", "文字"


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField("序号")
    kind = models.CharField("题型", max_length=8, choices=QuestionKind.choices)
    text = models.CharField("题目", max_length=200)
    choices = models.JSONField("选项", default=list, blank=True)
    required = models.BooleanField("必答", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "问卷题目"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["survey", "position"], name="question_position")]

    def __str__(self) -> str:
        return self.text


class Recipient(models.Model):
    """One mobile a questionnaire was sent to. Its link carries a token signed with SECRET_KEY over
    the row's id and its random nonce (surveys.token_of): nothing in the database alone makes it."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="recipients")
    mobile = models.CharField("手机号", max_length=11)
    customer = models.ForeignKey(
        "realestate.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField("称呼", max_length=100, blank=True)
    nonce = models.CharField(max_length=32)
    answered_at = models.DateTimeField("回答时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "问卷对象"
        constraints = [models.UniqueConstraint(fields=["survey", "mobile"], name="survey_recipient_once")]
        indexes = [models.Index(fields=["mobile"], name="survey_recipient_mobile")]

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.mobile[:3]}****{self.mobile[-4:]}"


class Answer(models.Model):
    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    rating = models.PositiveSmallIntegerField("评分", null=True, blank=True)
    choice = models.CharField("选项", max_length=100, blank=True)
    text = models.TextField("文字", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "问卷回答"
        constraints = [models.UniqueConstraint(fields=["recipient", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.recipient_id} · {self.question_id}"
