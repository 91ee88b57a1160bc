from lodestar.accounts.models import User


def user_exists(*, email: str) -> bool:
    return User.objects.filter(email=(email or "").strip().lower()).exists()
