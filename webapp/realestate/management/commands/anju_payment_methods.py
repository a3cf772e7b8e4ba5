"""Give companies the five standard payment methods (一次性, 分期, 商业按揭, 公积金贷款, 组合贷款).

    manage.py anju_payment_methods            # every company
    manage.py anju_payment_methods sz sh      # these companies (by code)

Existing methods are left as the company edited them; running it again changes nothing."""

from django.core.management.base import BaseCommand, CommandError

from webapp.accounts.models import Company
from webapp.realestate.models import PaymentMethod
from webapp.realestate.schedule import ensure_payment_methods


class Command(BaseCommand):
    help = "Create the standard payment methods for every company (or the companies given by code)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("companies", nargs="*", help="company codes (default: all)")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        companies = Company.objects.order_by("code")
        if options["companies"]:
            companies = companies.filter(code__in=options["companies"])
            unknown = set(options["companies"]) - set(companies.values_list("code", flat=True))
            if unknown:
                raise CommandError(f"unknown company code(s): {', '.join(sorted(unknown))}")
        for company in companies:
            before = PaymentMethod.objects.filter(company=company).count()
            ensure_payment_methods(company)
            after = PaymentMethod.objects.filter(company=company).count()
            self.stdout.write(f"{company.code}: {after} payment methods ({after - before} new)")
