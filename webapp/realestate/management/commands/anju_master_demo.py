"""Demo master data (rooms, customers, payment methods) for the demo companies; idempotent."""

from django.core.management.base import BaseCommand

from webapp.accounts.models import Company
from webapp.realestate.demo import PLANS, ensure_master_demo


class Command(BaseCommand):
    help = "Create the demo rooms, customers and payment methods (after anju_setup made the companies)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        for company in Company.objects.filter(code__in=PLANS).order_by("code"):
            created = ensure_master_demo(company)
            self.stdout.write(
                f"{company.code}: {created['rooms']} rooms, {created['customers']} customers created"
            )
