import time

from django.core.management.base import BaseCommand

from engine.tasks import sweep


class Command(BaseCommand):
    help = "Fire due timers and run due service calls once, or forever with --loop."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--loop", action="store_true")
        parser.add_argument("--interval", type=float, default=2.0)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        while True:
            result = sweep()
            self.stdout.write(f"timers fired: {result['timers']}, service calls run: {result['calls']}")
            if not options["loop"]:
                return
            time.sleep(options["interval"])
