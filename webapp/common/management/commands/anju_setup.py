from django.core.management.base import BaseCommand, CommandError

from engine.adapters.default_templates import ensure_default_templates
from engine.deploy import deploy_all
from engine.errors import DeployError
from engine.services import calls_in_process
from engine.sla_defaults import ensure_sla_setup
from engine.start_rules import ensure_start_rules
from webapp.accounts.demo import ensure_people, logins_table
from webapp.accounts.models import Company
from webapp.billing.demo import load_demo_billing
from webapp.community.demo import load_demo_community
from webapp.demo_data import load_demo_history, load_demo_sales, load_demo_work
from webapp.fees.demo import load_demo_fees
from webapp.meters.demo import load_demo_readings
from webapp.movein.demo import ensure_movein_master, load_demo_movein
from webapp.parking.demo import load_demo_parking
from webapp.passes.demo import load_demo_passes
from webapp.realestate.demo import ensure_master_demo
from webapp.repairs.demo import load_demo_repairs
from webapp.residents.demo import ensure_demo_residents
from webapp.visits.demo import load_demo_visits


class Command(BaseCommand):
    help = "Deploy every flow in processes/, create notification templates, the demo company and demo work."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--no-demo", action="store_true", help="skip the demo people and work")
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="skip the demo's past weeks of work (quicker, for tests)",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        ensure_default_templates()
        ensure_start_rules()
        for company in Company.objects.all():
            ensure_sla_setup(company)
            ensure_movein_master(company)
        try:
            for version, created in deploy_all():
                self.stdout.write(
                    f"flow {version.key} v{version.version}: {'deployed' if created else 'unchanged'}"
                )
        except DeployError as exc:
            raise CommandError("\n".join(str(p) for p in exc.problems)) from exc
        if options["no_demo"]:
            return
        users = ensure_people()
        for company in Company.objects.all():  # the demo companies are new on a fresh database
            ensure_sla_setup(company)
        for company in Company.objects.filter(code__in=["sz", "sh"]):
            ensure_master_demo(company)
            ensure_demo_residents(company)
        # The demo drives flows step by step: their service calls run here, at once, so that the
        # next task exists without a Celery worker (production mode) and nothing waits for one.
        with calls_in_process():
            # The past weeks first: the work of today follows them, in the audit trail too.
            history = None if options["no_history"] else load_demo_history(users)
            started = load_demo_work(users)
            sold = load_demo_sales(users)
            handed = load_demo_movein(users)
            repaired = load_demo_repairs(users)
        fees = load_demo_fees(users)
        metered = load_demo_readings(users)
        parked = load_demo_parking(users)
        billed = load_demo_billing(users)
        passes = load_demo_passes(users)
        visits = load_demo_visits(users)
        noticed = load_demo_community(users)
        if history is not None:
            self.stdout.write(
                f"demo history: {history.instances} cases of the past weeks, {history.alerts} SLA alerts "
                f"({history.seconds} s)"
            )
        if started:
            self.stdout.write(f"demo work: {started} complaints recorded")
        if sold:
            self.stdout.write(f"demo sales: {sold} customers received")
        if handed:
            self.stdout.write(f"demo move-in: a batch of {handed} rooms in mock inspection")
        if repaired:
            self.stdout.write(f"demo repairs: {repaired} repairs, one in each status")
        if fees:
            self.stdout.write(f"demo fees: {fees} fee items of 滨海花园")
        if metered:
            self.stdout.write(f"demo meters: {metered} readings of the handed-over rooms (two months)")
        if parked:
            self.stdout.write(f"demo parking: {parked} contracts of 滨海花园's garage, with their cars")
        if billed:
            self.stdout.write(
                f"demo billing: {billed} bills of 滨海花园's last two months, posted; desk payments"
            )
        if passes:
            self.stdout.write(f"demo passes: {passes} passes of 滨海花园 (a visitor, a decoration request)")
        if visits:
            self.stdout.write(f"demo 云通行: {visits} visit passes of 滨海花园, with a week of visit slots")
        if noticed:
            self.stdout.write(f"demo notices: {noticed} community notices, one per estate")
        self.stdout.write("\nDemo logins / 演示账号:\n" + logins_table())
        self.stdout.write(
            "\nOwner's channel / 智慧管家 http://127.0.0.1:8000/my/: 张三 (业主) 13800138000, 陈志强 (租户)"
            " 15800158004; without an SMS gateway the code is in 通知发件箱 (/admin/engine/outboxmessage/)"
        )
