"""factory_boy factories of users and role assignments."""

import factory
from factory.django import DjangoModelFactory

from metodist.accounts.models import RoleAssignment, User

PASSWORD = "Metodist-test-2026"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Тест"
    last_name = "Пользователь"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with_role(role: str, *, territory=None, organisation=None, person=None, username=None) -> User:
    user = UserFactory(username=username or f"{role}-{User.objects.count() + 1}", person=person)
    RoleAssignment.objects.create(user=user, role=role, territory=territory, organisation=organisation)
    return user


def login_verified(client, user) -> None:
    """Log ``user`` in with a confirmed TOTP device, as after two-factor authentication (for admin pages)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
