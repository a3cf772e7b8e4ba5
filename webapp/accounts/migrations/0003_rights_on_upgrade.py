"""Rights instead of the company alone (issue 13): customers, rooms, sales and move-in records now
need a right (webapp/common/rights.py), and starting a flow by hand needs one too. So that an
upgrade takes nobody's work away, the company's people who could use them before get a role
carrying exactly those rights; a contractor's people (all of whose work groups are contractors'
rectification groups) do not: they keep their tasks and the defects dispatched to them. A new
installation has nobody yet; its roles come from the setup (webapp/accounts/demo.py)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

UPGRADE_ROLE = "原有业务权限（升级保留）"
RIGHTS = [
    ("engine", "add_processinstance"),
    ("realestate", "view_customer"),
    ("realestate", "add_customer"),
    ("realestate", "change_customer"),
    ("realestate", "view_room"),
    ("realestate", "add_room"),
    ("sales", "view_subscription"),
    ("movein", "view_handoverbatch"),
    ("movein", "view_defect"),
]


def keep_what_staff_could_do(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    staff = list(User.objects.filter(company__isnull=False).prefetch_related("work_groups", "groups"))
    if not staff:
        return
    for label in {app for app, _codename in RIGHTS}:  # post_migrate makes them only after all migrations
        create_permissions(global_apps.get_app_config(label), verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Contractor = apps.get_model("movein", "Contractor")
    role, _created = Group.objects.get_or_create(name=UPGRADE_ROLE)
    for app, codename in RIGHTS:
        permission = Permission.objects.filter(content_type__app_label=app, codename=codename).first()
        if permission is not None:
            role.permissions.add(permission)
    contractor_groups = set(Contractor.objects.values_list("work_group_id", flat=True))
    view_all = set(
        Group.objects.filter(
            permissions__content_type__app_label="engine", permissions__codename="view_all_instances"
        ).values_list("pk", flat=True)
    )
    for user in staff:
        groups = {g.pk for g in user.work_groups.all()}
        sees_all = bool({g.pk for g in user.groups.all()} & view_all)
        if groups and groups <= contractor_groups and not sees_all:
            continue  # a contractor's people: their own work only
        user.groups.add(role)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_alter_user_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("engine", "0012_audit_action_reveal"),
        ("realestate", "0002_view_personal_data"),
        ("sales", "0001_initial"),
        ("movein", "0003_defect_rounds"),
    ]

    operations = [migrations.RunPython(keep_what_staff_could_do, migrations.RunPython.noop)]
