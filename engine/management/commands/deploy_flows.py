from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from engine.deploy import deploy_all, deploy_folder
from engine.errors import DeployError


class Command(BaseCommand):
    help = "Deploy every flow in processes/ (or the folders given); identical content is skipped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folders", nargs="*", help="flow folders (default: every folder of processes/)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["folders"]:
                results = [deploy_folder(Path(f)) for f in options["folders"]]
            else:
                results = deploy_all()
        except DeployError as exc:
            raise CommandError("\n".join(str(p) for p in exc.problems)) from exc
        for version, created in results:
            state = "deployed" if created else "unchanged"
            self.stdout.write(f"{version.key} v{version.version}: {state}")
