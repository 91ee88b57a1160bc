from django.core.management import CommandError

from lodestar.accounts.models import User
from lodestar.core.errors import Invalid, NotFound
from lodestar.core.management.base import LodestarCommand, prepare_data_dir
from lodestar.workspaces.models import Workspace
from lodestar.workspaces.services import token_create


class Command(LodestarCommand):
    help = "Manage API tokens. `token create --email E --workspace SLUG` prints a new token."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = sub.add_parser("create", help="Create a token and print it (shown once).")
        create.add_argument("--email", required=True)
        create.add_argument("--workspace", required=True, metavar="SLUG")
        create.add_argument("--name", default="CLI token")

    def handle(self, *args, action: str, email: str, workspace: str, name: str, **options):
        prepare_data_dir()
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(f"No user with email {email}.")
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"No workspace {workspace!r}.")
        try:
            _token, secret = token_create(workspace=ws, user=user, name=name)
        except NotFound:
            raise CommandError(f"{user.email} is not a member of {workspace}.") from None
        except Invalid as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(secret)
