"""The gate's role on upgrade (issue 16): role 门岗 with the right passes.admit, and the right
passes.approve_decoration for the property role 物业 where it exists. A new installation gets the
same roles from the setup (webapp/accounts/demo.py); nobody is given a role here."""

from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GATE_ROLE = "门岗"
PROPERTY_ROLE = "物业"


def add_roles(apps: Any, schema_editor: Any) -> None:
    create_permissions(global_apps.get_app_config("passes"), verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admit = Permission.objects.filter(content_type__app_label="passes", codename="admit").first()
    approve = Permission.objects.filter(
        content_type__app_label="passes", codename="approve_decoration"
    ).first()
    if admit is not None:
        gate, _created = Group.objects.get_or_create(name=GATE_ROLE)
        gate.permissions.add(admit)
    steward = Group.objects.filter(name=PROPERTY_ROLE).first()
    if steward is not None and approve is not None:
        steward.permissions.add(approve)


class Migration(migrations.Migration):
    dependencies = [
        ("passes", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(add_roles, migrations.RunPython.noop)]
