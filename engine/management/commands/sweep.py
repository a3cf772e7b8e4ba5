import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from engine.tasks import sweep


class Command(BaseCommand):
    help = "Fire due timers and run due service calls once, or forever with --loop."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=2.0)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            result = sweep()
            self.stdout.write(f"timers fired: {result['timers']}, service calls run: {result['calls']}")
            if not options["loop"]:
                return
            time.sleep(options["interval"])
