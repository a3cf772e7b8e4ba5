"""Serve Anju with whatever background processing the mode needs.

Embedded mode (no REDIS_URL): the in-process sweeper thread fires timers and retries service
calls; Celery tasks already run in-process. Production mode (REDIS_URL set): a Celery worker and
Celery beat are started as child processes (in a real deployment run them separately; see README).
"""

import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from engine.worker import InProcessLoop


class Command(BaseCommand):
    help = "Run the web server plus the timer/service-call processing of the current mode."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        children: list[subprocess.Popen] = []
        if settings.PRODUCTION_MODE:
            celery = [sys.executable, "-m", "celery", "-A", "webapp"]
            schedule = str(settings.VAR_DIR / "celerybeat-schedule")
            for command in (
                [*celery, "worker", "-l", "info"],
                [*celery, "beat", "-l", "info", "-s", schedule],
            ):
                children.append(subprocess.Popen(command))  # noqa: S603 (our own interpreter and arguments)
            self.stdout.write("production mode: Celery worker and beat started")
        else:
            InProcessLoop().start()
            self.stdout.write("embedded mode: SQLite, tasks in-process, timers fired by the in-process loop")
        try:
            call_command("runserver", options["addrport"], use_reloader=False, use_threading=True)
        finally:
            for child in children:
                child.terminate()
