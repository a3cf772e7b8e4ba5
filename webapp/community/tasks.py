"""Celery task of community (production mode): send a questionnaire's SMS invitations."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="community.deliver_invitations", ignore_result=True)
def deliver_invitations_task(survey_id: int, base_url: str) -> None:
    from .surveys import deliver_invitations

    deliver_invitations(survey_id, base_url)
