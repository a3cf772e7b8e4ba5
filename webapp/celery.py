"""Celery application.

Embedded mode (no REDIS_URL): tasks run eagerly in the calling process and the in-process
loop (`engine.worker.InProcessLoop`) fires timers and retries. Production mode: Redis is the
broker, `celery -A webapp worker` runs tasks and `celery -A webapp beat` schedules the sweeps.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")

app = Celery("anju")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["engine"])
