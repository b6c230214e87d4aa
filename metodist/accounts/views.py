"""Pages of accounts: the user's own page and API token, and account management for managers.

A manager (administrator, methodologist, coordinator) sees the users of their scope; a user outside it
is a 404, and a user who manages no accounts gets 403 on every management page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import permissions, services
from .forms import RoleAssignForm, StaffOrganisationForm, UserCreateForm
from .models import ApiToken, RoleAssignment, User
from .roles import roles_of

PAGE_SIZE = 50
PERSON_SEARCH_LIMIT = 20


@login_required
def profile(request):
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/profile.html", {"roles": roles_of(request.user), "tokens": tokens})


@login_required
@require_POST
def token_regenerate(request):
    """Replace the user's API tokens by a new one and show its key once (only its digest is stored)."""
    token, key = services.token_issue(user=request.user, replace=True)
    messages.success(request, _("Выпущен новый API-токен; прежние больше не действуют."))
    context = {"roles": roles_of(request.user), "tokens": [token], "new_key": key}
    return render(request, "accounts/profile.html", context)


# Account management ----------------------------------------------------------------------------------


def _require_manager(user) -> None:
    if not permissions.can_manage_accounts(user):
        raise PermissionDenied


def _visible_roles(manager) -> Prefetch:
    return Prefetch(
        "role_assignments",
        queryset=RoleAssignment.objects.visible_to(manager).select_related("territory", "organisation"),
        to_attr="visible_roles",
    )


@login_required
def user_list(request):
    _require_manager(request.user)
    users = User.objects.visible_to(request.user).prefetch_related(_visible_roles(request.user))
    query = request.GET.get("q", "").strip()[:100]
    if query:
        for word in query.split():
            users = users.filter(
                Q(username__icontains=word)
                | Q(last_name__icontains=word)
                | Q(first_name__icontains=word)
                | Q(email__icontains=word)
            )
    page = Paginator(users.order_by("last_name", "first_name", "username"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "query": query})


@login_required
def user_detail(request, pk: int):
    _require_manager(request.user)
    target = get_object_or_404(
        User.objects.visible_to(request.user).prefetch_related(_visible_roles(request.user)), pk=pk
    )
    hidden_roles = target.role_assignments.count() - len(target.visible_roles)
    person = None
    if target.person_id:
        person = permissions.persons_for_accounts(request.user).filter(pk=target.person_id).first()
    removable = {
        a.pk
        for a in target.visible_roles
        if target.pk != request.user.pk
        and permissions.can_assign(
            request.user, role=a.role, territory=a.territory, organisation=a.organisation, person_id=target.person_id
        )
    }
    can_manage = permissions.can_manage_user(request.user, target)
    context = {
        "target": target,
        "person": person,
        "hidden_roles": hidden_roles,
        "removable": removable,
        "can_manage": can_manage,
        "role_form": RoleAssignForm(manager=request.user, target=target) if target.pk != request.user.pk else None,
    }
    return render(request, "accounts/user_detail.html", context)


@login_required
def user_create(request):
    """A new account: for a registry person (``?person=<id>``, found by ``?q=``) or for a territory role."""
    _require_manager(request.user)
    people = permissions.persons_for_accounts(request.user)
    person = None
    if person_id := request.GET.get("person"):
        person = get_object_or_404(people.filter(user__isnull=True), pk=person_id if person_id.isdigit() else 0)
    query = request.GET.get("q", "").strip()[:100]
    found = []
    if query and person is None:
        found_qs = people.filter(user__isnull=True)
        for word in query.split():
            found_qs = found_qs.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word))
        found = list(found_qs.order_by("last_name", "first_name")[:PERSON_SEARCH_LIMIT])
    form: UserCreateForm | None = UserCreateForm(request.POST or None, manager=request.user, person=person)
    if person is None and not permissions.assignable_roles(request.user, with_profile=False):
        form = None  # a coordinator: accounts only for people of the registry
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                by=request.user,
                username=data["username"],
                email=data["email"],
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                person=person,
                role=data["role"],
                territory=data["territory"],
                organisation=data["organisation"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as error:
            form.add_error("role", str(error))
        else:
            messages.success(
                request, _("Учётная запись создана, приглашение отправлено на %(email)s.") % {"email": user.email}
            )
            return redirect("accounts:user_detail", pk=user.pk)
    context = {"form": form, "person": person, "query": query, "found": found}
    return render(request, "accounts/user_form.html", context)


def _managed_user(request, pk: int) -> User:
    _require_manager(request.user)
    return get_object_or_404(User.objects.visible_to(request.user), pk=pk)


@login_required
@require_POST
def role_add(request, pk: int):
    target = _managed_user(request, pk)
    form = RoleAssignForm(request.POST, manager=request.user, target=target)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.role_assign(
                by=request.user,
                user=target,
                role=data["role"],
                territory=data["territory"],
                organisation=data["organisation"],
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Роль назначена."))
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors))
    return redirect("accounts:user_detail", pk=target.pk)


@login_required
@require_POST
def role_remove(request, pk: int, assignment_pk: int):
    target = _managed_user(request, pk)
    assignment = get_object_or_404(RoleAssignment.objects.visible_to(request.user), pk=assignment_pk, user=target)
    try:
        services.role_remove(by=request.user, assignment=assignment)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Роль снята."))
    return redirect("accounts:user_detail", pk=target.pk)


@login_required
@require_POST
def user_set_active(request, pk: int):
    target = _managed_user(request, pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(by=request.user, user=target, active=active)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Учётная запись разблокирована.") if active else _("Учётная запись заблокирована."))
    return redirect("accounts:user_detail", pk=target.pk)


@login_required
@require_POST
def invitation_resend(request, pk: int):
    target = _managed_user(request, pk)
    if not permissions.can_manage_user(request.user, target):
        raise PermissionDenied
    if services.invitation_send(user=target, request=request):
        messages.success(request, _("Приглашение отправлено на %(email)s.") % {"email": target.email})
    else:
        messages.error(request, _("У пользователя не указан адрес электронной почты."))
    return redirect("accounts:user_detail", pk=target.pk)


@login_required
def staff_accounts(request):
    """Teacher accounts for a school's staff: pick the organisation, see who gets one and why not, confirm."""
    _require_manager(request.user)
    data = request.POST if request.method == "POST" else (request.GET if "organisation" in request.GET else None)
    form = StaffOrganisationForm(data, manager=request.user)
    lines = None
    if form.is_valid():
        organisation = form.cleaned_data["organisation"]
        if request.method == "POST":
            created = services.staff_accounts_create(by=request.user, organisation=organisation, request=request)
            messages.success(
                request,
                _("Учётных записей создано: %(count)d; приглашения отправлены.") % {"count": len(created)},
            )
            return redirect(f"{request.path}?organisation={organisation.pk}")
        lines = services.staff_accounts_plan(by=request.user, organisation=organisation)
    context = {
        "form": form,
        "lines": lines,
        "to_create": sum(1 for line in lines or [] if line.gets_account),
    }
    return render(request, "accounts/staff_accounts.html", context)
