"""Copy the old group-based roles into RoleGrant. The groups stay but grant nothing."""

from django.db import migrations

ROLES = ["caseworker", "attorney", "director", "admin"]


def groups_to_grants(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    RoleGrant = apps.get_model("accounts", "RoleGrant")
    through = User.groups.through
    grants = [
        RoleGrant(user_id=user_id, role=name)
        for user_id, name in through.objects.filter(group__name__in=ROLES).values_list(
            "user_id", "group__name"
        )
    ]
    RoleGrant.objects.bulk_create(grants, ignore_conflicts=True)


def grants_to_groups(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Group = apps.get_model("auth", "Group")
    RoleGrant = apps.get_model("accounts", "RoleGrant")
    for grant in RoleGrant.objects.all():
        group, _ = Group.objects.get_or_create(name=grant.role)
        User.groups.through.objects.get_or_create(user_id=grant.user_id, group_id=group.id)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_role_grants")]

    operations = [migrations.RunPython(groups_to_grants, grants_to_groups)]
