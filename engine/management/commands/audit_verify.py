"""`manage.py audit_verify`: walk every company's audit hash chain and report the first broken link
(exit status 1 when one is broken)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from engine.auditchain import seal_pending, verify_all


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains (seal what is due first with --seal)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seal", action="store_true", help="seal the events that are due before verifying"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seal"]:
            self.stdout.write(f"sealed {seal_pending()} events")
        broken = 0
        for verdict in verify_all():
            label = f"chain {verdict.chain}" + (" (no company)" if verdict.chain == 0 else "")
            if verdict.intact:
                self.stdout.write(
                    f"{label}: intact, {verdict.sealed} sealed, {verdict.unsealed} not sealed yet"
                )
            else:
                broken += 1
                where = (
                    f"event {verdict.broken_event_id} ({verdict.broken_at})"
                    if verdict.broken_event_id
                    else "its end"
                )
                self.stdout.write(
                    f"{label}: BROKEN at {where}: {verdict.problem}; {verdict.sealed} events before it are intact"
                )
        if broken:
            raise CommandError(f"{broken} audit chain(s) broken")
