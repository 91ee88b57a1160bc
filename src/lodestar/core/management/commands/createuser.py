from django.core.management import CommandError
from django.db import transaction

from lodestar.accounts.services import user_create
from lodestar.core.errors import Invalid
from lodestar.core.management.base import LodestarCommand, prepare_data_dir
from lodestar.workspaces.models import Membership, Role, Workspace
from lodestar.workspaces.services import workspace_create


def describe(error: Invalid) -> str:
    parts = [f"{name}: {' '.join(msgs)}" for name, msgs in error.fields.items()]
    return "; ".join(parts) or error.message


class Command(LodestarCommand):
    help = (
        "Create a user. With --workspace, make them a member; a workspace that does not "
        "exist yet is created with them as its owner."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", default="")
        parser.add_argument("--workspace", metavar="SLUG")
        parser.add_argument("--role", choices=Role.values)

    def handle(self, *args, email, password, name, workspace, role, **options) -> None:
        prepare_data_dir()
        if role and not workspace:
            raise CommandError("--role needs --workspace.")
        existing = Workspace.objects.filter(slug=workspace).first() if workspace else None
        if workspace and existing is None and role not in (None, Role.OWNER):
            raise CommandError(
                f"Workspace {workspace!r} does not exist; its first member becomes its owner. "
                "Omit --role (or use --role owner) to create it."
            )
        try:
            with transaction.atomic():
                user = user_create(email=email, password=password, name=name)
                if workspace and existing is None:
                    workspace_create(
                        user=user, name=workspace.replace("-", " ").title(), slug=workspace
                    )
                    self.stdout.write(f"Created workspace {workspace} with {user.email} as owner.")
                elif existing is not None:
                    Membership.objects.create(
                        workspace=existing, user=user, role=role or Role.CONTRIBUTOR
                    )
                    self.stdout.write(
                        f"Added {user.email} to {existing.slug} as {role or Role.CONTRIBUTOR}."
                    )
        except Invalid as exc:
            raise CommandError(describe(exc)) from None
        self.stdout.write(f"Created user {user.email}.")
