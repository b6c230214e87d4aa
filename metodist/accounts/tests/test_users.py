"""Account management inside the product: scoped list, detail, creation, roles, blocking, bulk accounts."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metodist.accounts import services
from metodist.accounts.choices import Role
from metodist.accounts.models import RoleAssignment, User
from metodist.accounts.tests.factories import UserFactory, user_with_role
from metodist.registry.tests.factories import EmploymentFactory, OrganisationFactory, PersonFactory

# Who of the world's users each manager sees on «Пользователи».
EXPECTED_USERS = {
    "admin": {
        "admin",
        "methodologist",
        "observer",
        "region_observer",
        "coordinator",
        "teacher",
        "mentor",
        "expert",
        "association_head",
        "nobody",
    },
    # M1: its methodologist and observer, organisations A and B, people pa, pa2, pb
    "methodologist": {"methodologist", "observer", "coordinator", "teacher", "mentor", "expert"},
    "coordinator": {"coordinator", "teacher", "mentor"},
}


def usernames(response) -> set[str]:
    return {u.username for u in response.context["page"].object_list}


@pytest.mark.parametrize("role", sorted(EXPECTED_USERS))
def test_user_list_shows_only_the_users_of_the_scope(client, world, role):
    client.force_login(world.users[role])
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 200
    assert usernames(response) == EXPECTED_USERS[role]


@pytest.mark.parametrize("role", ["observer", "region_observer", "teacher", "mentor", "expert", "nobody"])
def test_user_management_is_forbidden_to_roles_that_manage_no_accounts(client, world, role):
    client.force_login(world.users[role])
    for name in ["accounts:user_list", "accounts:user_create", "accounts:staff_accounts"]:
        assert client.get(reverse(name)).status_code == 403
    detail = reverse("accounts:user_detail", args=[world.users["teacher"].pk])
    assert client.get(detail).status_code == 403


def test_user_list_search(client, world):
    client.force_login(world.users["methodologist"])
    world.users["expert"].last_name = "Борисова"
    world.users["expert"].save()
    response = client.get(reverse("accounts:user_list"), {"q": "борис"})
    assert usernames(response) == {"expert"}


def test_user_list_query_count_does_not_grow_with_users(client, world):
    client.force_login(world.users["methodologist"])
    url = reverse("accounts:user_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(15):
        person = PersonFactory()
        EmploymentFactory(person=person, organisation=world.org_b)
        user_with_role(Role.TEACHER, person=person, username=f"extra{i}")
        user_with_role(Role.COORDINATOR, organisation=world.org_b, username=f"extra-coord{i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 36
    assert len(many) == len(few)
    assert len(many) <= 10


def test_out_of_scope_user_is_404(client, world):
    client.force_login(world.users["methodologist"])
    outsider = world.users["association_head"]  # person pc works in M2
    for url in [
        reverse("accounts:user_detail", args=[outsider.pk]),
    ]:
        assert client.get(url).status_code == 404
    for name in ["accounts:role_add", "accounts:user_set_active", "accounts:invitation_resend"]:
        assert client.post(reverse(name, args=[outsider.pk]), {"active": "0", "role": Role.TEACHER}).status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active


def test_detail_shows_only_roles_inside_the_scope(client, world):
    user = world.users["coordinator"]
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, organisation=world.org_c)
    client.force_login(world.users["methodologist"])
    response = client.get(reverse("accounts:user_detail", args=[user.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.org_a.short_name in html
    assert world.org_c.short_name not in html
    assert response.context["hidden_roles"] == 1


# Creating accounts -----------------------------------------------------------------------------------


def _invitation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/password/set/\S+/)", message.body).group(1)


def test_methodologist_creates_a_teacher_account_from_a_registry_person_and_it_gets_an_invitation(
    client, world, django_capture_on_commit_callbacks
):
    person = PersonFactory(email="new.teacher@example.org", last_name="Новикова")
    EmploymentFactory(person=person, organisation=world.org_b)
    client.force_login(world.users["methodologist"])
    url = reverse("accounts:user_create") + f"?person={person.pk}"
    form = client.get(url).context["form"]
    assert form.initial["email"] == "new.teacher@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"username": "new.teacher@example.org", "email": "new.teacher@example.org", "role": Role.TEACHER}
        )
    user = User.objects.get(username="new.teacher@example.org")
    assert response.status_code == 302
    assert user.person == person and user.last_name == "Новикова"
    assert not user.has_usable_password()
    assert list(user.role_assignments.values_list("role", flat=True)) == [Role.TEACHER]

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.teacher@example.org"]
    assert "Методист" in message.subject
    link = _invitation_link(message)

    client.logout()
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "Зелёный-чай-2026", "new_password2": "Зелёный-чай-2026"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Зелёный-чай-2026")
    # the link works once
    assert not client.get(link, follow=True).context["validlink"]


def test_person_search_on_the_create_page_is_scoped(client, world):
    client.force_login(world.users["coordinator"])
    response = client.get(reverse("accounts:user_create"), {"q": "Борисова"})
    assert response.context["found"] == []
    response = client.get(reverse("accounts:user_create"), {"person": world.pb.pk})
    assert response.status_code == 404


def test_coordinator_creates_teacher_accounts_only_for_their_staff(client, world):
    person = PersonFactory(email="staff@example.org")
    EmploymentFactory(person=person, organisation=world.org_a)
    other = PersonFactory(email="other@example.org")
    EmploymentFactory(person=other, organisation=world.org_b)
    client.force_login(world.users["coordinator"])
    url = reverse("accounts:user_create") + f"?person={person.pk}"
    response = client.post(
        url,
        {"username": "staff1", "email": "staff@example.org", "role": Role.COORDINATOR, "organisation": world.org_a.pk},
    )
    assert not User.objects.filter(username="staff1").exists()
    assert "role" in response.context["form"].errors
    client.post(url, {"username": "staff1", "email": "staff@example.org", "role": Role.TEACHER})
    assert User.objects.get(username="staff1").person == person
    assert client.get(reverse("accounts:user_create") + f"?person={other.pk}").status_code == 404


@pytest.mark.parametrize(
    ("territory", "allowed"),
    [("m1", True), ("m2", False), ("region", False)],
)
def test_methodologist_creates_methodologists_only_inside_their_territory(client, world, territory, allowed):
    client.force_login(world.users["methodologist"])
    target = getattr(world, territory)
    client.post(
        reverse("accounts:user_create"),
        {
            "username": "metod2",
            "email": "metod2@example.org",
            "last_name": "Петрова",
            "first_name": "Анна",
            "role": Role.METHODOLOGIST,
            "territory": target.pk,
        },
    )
    assert User.objects.filter(username="metod2").exists() is allowed


def test_service_refuses_an_administrator_from_a_methodologist(world):
    with pytest.raises(services.PermissionDenied):
        services.user_create(by=world.users["methodologist"], username="boss", email="b@example.org", role=Role.ADMIN)


def test_coordinator_role_for_an_organisation_of_another_territory_is_refused(client, world):
    client.force_login(world.users["methodologist"])
    target = world.users["teacher"]
    client.post(
        reverse("accounts:role_add", args=[target.pk]), {"role": Role.COORDINATOR, "organisation": world.org_c.pk}
    )
    assert not target.role_assignments.filter(role=Role.COORDINATOR).exists()
    client.post(
        reverse("accounts:role_add", args=[target.pk]), {"role": Role.COORDINATOR, "organisation": world.org_b.pk}
    )
    assert target.role_assignments.filter(role=Role.COORDINATOR, organisation=world.org_b).exists()


def test_role_removal_respects_the_scope(client, world):
    user = world.users["coordinator"]
    inside = user.role_assignments.get()
    outside = RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, organisation=world.org_c)
    client.force_login(world.users["methodologist"])
    response = client.post(reverse("accounts:role_remove", args=[user.pk, outside.pk]))
    assert response.status_code == 404
    assert RoleAssignment.objects.filter(pk=outside.pk).exists()
    client.post(reverse("accounts:role_remove", args=[user.pk, inside.pk]))
    assert not RoleAssignment.objects.filter(pk=inside.pk).exists()


def test_nobody_changes_their_own_roles(world):
    me = world.users["methodologist"]
    with pytest.raises(services.PermissionDenied):
        services.role_assign(by=me, user=me, role=Role.OBSERVER, territory=world.m1)


def test_blocking_a_user_in_scope_and_not_one_with_roles_outside(client, world):
    client.force_login(world.users["methodologist"])
    teacher = world.users["teacher"]
    services.token_issue(user=teacher)
    client.post(reverse("accounts:user_set_active", args=[teacher.pk]), {"active": "0"})
    teacher.refresh_from_db()
    assert not teacher.is_active
    assert not teacher.api_tokens.exists()

    both = world.users["coordinator"]
    RoleAssignment.objects.create(user=both, role=Role.COORDINATOR, organisation=world.org_c)
    client.post(reverse("accounts:user_set_active", args=[both.pk]), {"active": "0"})
    both.refresh_from_db()
    assert both.is_active


def test_invitation_is_resent(client, world):
    client.force_login(world.users["methodologist"])
    client.post(reverse("accounts:invitation_resend", args=[world.users["teacher"].pk]))
    assert [m.to for m in mail.outbox] == [[world.users["teacher"].email]]


# Accounts for a school's staff -----------------------------------------------------------------------


def test_staff_accounts_preview_and_creation(client, world, django_capture_on_commit_callbacks):
    ready = PersonFactory(last_name="Готова", email="Ready@Example.org")
    no_email = PersonFactory(last_name="Безпочты", email="")
    twin1 = PersonFactory(last_name="Двойник", email="same@example.org")
    twin2 = PersonFactory(last_name="Двойница", email="same@example.org")
    taken = PersonFactory(last_name="Занятая", email="taken@example.org")
    UserFactory(username="someone", email="Taken@Example.org")
    for person in (ready, no_email, twin1, twin2, taken):
        EmploymentFactory(person=person, organisation=world.org_b)
    fired = PersonFactory(last_name="Уволенная", email="fired@example.org")
    EmploymentFactory(person=fired, organisation=world.org_b, end_date="2020-01-01")

    client.force_login(world.users["methodologist"])
    url = reverse("accounts:staff_accounts")
    response = client.get(url, {"organisation": world.org_b.pk})
    plan = {line.person.last_name: line.reason for line in response.context["lines"]}
    assert plan == {
        "Готова": "",
        "Безпочты": str(services.SKIP_NO_EMAIL),
        "Двойник": str(services.SKIP_EMAIL_TWICE),
        "Двойница": str(services.SKIP_EMAIL_TWICE),
        "Занятая": str(services.SKIP_EMAIL_TAKEN),
        world.pb.last_name: str(services.SKIP_HAS_ACCOUNT),
    }
    assert not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"organisation": world.org_b.pk})
    user = User.objects.get(username="ready@example.org")
    assert user.person == ready
    assert user.role_assignments.get().role == Role.TEACHER
    assert [m.to for m in mail.outbox] == [["ready@example.org"]]
    assert User.objects.filter(person__in=[no_email, twin1, twin2, taken, fired]).count() == 0


def test_staff_accounts_for_an_organisation_outside_the_scope_are_refused(client, world):
    ready = PersonFactory(email="c-staff@example.org")
    EmploymentFactory(person=ready, organisation=world.org_c)
    client.force_login(world.users["methodologist"])
    url = reverse("accounts:staff_accounts")
    response = client.get(url, {"organisation": world.org_c.pk})
    assert response.context["lines"] is None
    assert "organisation" in response.context["form"].errors
    client.post(url, {"organisation": world.org_c.pk})
    assert not User.objects.filter(person=ready).exists()


def test_coordinator_creates_staff_accounts_for_their_own_school(client, world):
    ready = PersonFactory(email="a-staff@example.org")
    EmploymentFactory(person=ready, organisation=world.org_a)
    client.force_login(world.users["coordinator"])
    client.post(reverse("accounts:staff_accounts"), {"organisation": world.org_a.pk})
    assert User.objects.get(person=ready).role_assignments.get().role == Role.TEACHER
    new_org = OrganisationFactory(territory=world.m1)
    assert client.get(reverse("accounts:staff_accounts"), {"organisation": new_org.pk}).context["lines"] is None


@pytest.mark.parametrize(
    ("role", "shown"), [("methodologist", True), ("coordinator", True), ("observer", False), ("teacher", False)]
)
def test_users_menu_item_only_for_managers_of_accounts(client, world, role, shown):
    client.force_login(world.users[role])
    html = client.get(reverse("core:dashboard")).content.decode()
    assert (f'href="{reverse("accounts:user_list")}"' in html) is shown


def test_person_page_links_to_account_creation_for_managers_only(client, world):
    person = PersonFactory(last_name="Безучётная", email="no-account@example.org")
    EmploymentFactory(person=person, organisation=world.org_b)
    link = reverse("accounts:user_create") + f"?person={person.pk}"
    client.force_login(world.users["methodologist"])
    assert link in client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
    # a person who already has an account: no link
    pb_link = reverse("accounts:user_create") + f"?person={world.pb.pk}"
    assert pb_link not in client.get(reverse("registry:person_detail", args=[world.pb.pk])).content.decode()
    client.force_login(world.users["observer"])
    assert link not in client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()


def test_coordinator_gets_only_the_person_search_on_the_create_page(client, world):
    client.force_login(world.users["coordinator"])
    response = client.get(reverse("accounts:user_create"))
    assert response.status_code == 200 and response.context["form"] is None
    response = client.post(
        reverse("accounts:user_create"), {"username": "x", "email": "x@example.org", "role": "teacher"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="x").exists()


def test_an_unreachable_mail_server_does_not_lose_the_created_account(
    client, world, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(services, "send_mail", refuse)
    person = PersonFactory(email="later@example.org")
    EmploymentFactory(person=person, organisation=world.org_b)
    client.force_login(world.users["methodologist"])
    url = reverse("accounts:user_create") + f"?person={person.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"username": "later", "email": "later@example.org", "role": Role.TEACHER})
    assert response.status_code == 302
    assert User.objects.filter(username="later", person=person).exists()


def test_user_detail_query_count_does_not_grow_with_roles(client, world):
    user = world.users["coordinator"]
    client.force_login(world.users["methodologist"])
    url = reverse("accounts:user_detail", args=[user.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        RoleAssignment.objects.create(
            user=user, role=Role.COORDINATOR, organisation=OrganisationFactory(territory=world.m1)
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["target"].visible_roles) == 6
    assert len(many) == len(few)
