"""Pages of the registry. Views only orchestrate: scope, form, service or selector, template."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metodist.core.audit import record_view
from metodist.core.lists import export_response, list_context
from metodist.core.permissions import Action
from metodist.core.scoping import scope_for
from metodist.core.views_support import require, scoped_or_404
from metodist.jobs.exports import export_in_background

from . import match_selectors, selectors, services, set_export
from .choices import MatchRequestSource
from .exports import ORGANISATION_COLUMNS, PERSON_COLUMNS
from .filters import OrganisationFilter, PersonFilter
from .forms import (
    AwardForm,
    CourseCompletionForm,
    EmploymentForm,
    OrganisationForm,
    PersonForm,
    PersonStatusForm,
    SchoolClassForm,
    TeachingAssignmentForm,
)
from .models import (
    Award,
    CourseCompletion,
    Employment,
    Organisation,
    Person,
    PersonMatchRequest,
    PersonStatus,
    SchoolClass,
    TeachingAssignment,
)
from .tables import OrganisationTable, PersonTable, organisation_badges

MATCH_REQUESTS_SHOWN = 200
MATCH_REQUESTS_SENT_SHOWN = 50

# The shared list and export helpers live in core (metodist.core.lists); these names keep the call sites.
_list_context = list_context
_export = export_response


# People ------------------------------------------------------------------------------------------


@login_required
def person_list(request):
    filterset = PersonFilter(request.GET, queryset=selectors.person_list(request.user), user=request.user)
    table = PersonTable(filterset.qs, load_rows=partial(selectors.person_rows, request.user), user=request.user)
    context = _list_context(request, filterset, table)
    return render(request, "registry/person_list.html", context)


@login_required
def person_export(request):
    require(request.user, Action.EXPORT)
    queryset = Person.objects.visible_to(request.user, Action.EXPORT).with_recent_courses()
    filterset = PersonFilter(request.GET, queryset=queryset, user=request.user)
    people = filterset.qs.order_by("last_name", "first_name", "patronymic", "id")
    queued = export_in_background(request, queryset=people, what=_("Педагогические работники"))
    if queued:  # above settings.JOBS_EXPORT_ROWS rows the file is made by a task worker (metodist.jobs)
        return queued
    if request.GET.get("format") == "csv" and set_export.is_available() and filterset.is_valid():
        # PostgreSQL writes the file itself: scope, filters and cell rules in one statement.
        return set_export.csv_response(request, people, stem="pedagogi", what=_("Педагогические работники"))
    return _export(
        request,
        people,
        rows=selectors.person_export_rows(request.user, people),
        filterset=filterset,
        columns=PERSON_COLUMNS,
        stem="pedagogi",
        what=_("Педагогические работники"),
    )


@login_required
def person_detail(request, pk: int):
    person = scoped_or_404(Person, request.user, pk, queryset=Person.objects.with_derived_figures())
    record_view(request, person)
    context = {
        "person": person,
        "can_change": Person.objects.visible_to(request.user, Action.CHANGE).filter(pk=pk).exists(),
        "history": selectors.person_history(request.user, person),
        **selectors.person_detail_related(request.user, person),
    }
    return render(request, "registry/person_detail.html", context)


@login_required
def person_create(request):
    require(request.user, Action.CHANGE)
    person_form = PersonForm(request.POST or None, prefix="person")
    employment_form = EmploymentForm(request.POST or None, prefix="employment", user=request.user)
    existing = None
    if request.method == "POST" and person_form.is_valid() and employment_form.is_valid():
        try:
            result = services.person_create_with_employment(
                actor=request.user,
                person_values=person_form.cleaned_data,
                employment_values=employment_form.employment_values(),
                source=MatchRequestSource.FORM,
            )
        except services.PersonMatchConflict as conflict:
            person_form.add_error(None, conflict)
            existing = conflict.person if isinstance(conflict, services.PersonAlreadyInScope) else None
        except ValidationError as error:
            _spread_errors(error, person_form, employment_form)
        else:
            if result.request is not None:
                name = " ".join(p for p in (result.request.last_name, result.request.first_name) if p)
                messages.info(request, services.SUBMITTED_FOR_CONFIRMATION % {"name": name})
                return redirect("registry:match_request_list")
            assert result.person is not None
            messages.success(request, services.PERSON_CREATED)
            return redirect(result.person)
    return render(
        request,
        "registry/person_form.html",
        {
            "form": person_form,
            "employment_form": employment_form,
            "existing_person": existing,
            "title": _("Новый педагог"),
        },
    )


def _spread_errors(error: ValidationError, *forms) -> None:
    """Put a service's ValidationError on the form that has the field (or on the first form)."""
    if not hasattr(error, "error_dict"):
        forms[0].add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        target = next((form for form in forms if name in form.fields), forms[0])
        target.add_error(name if name in target.fields else None, errors)


@login_required
def person_edit(request, pk: int):
    person = scoped_or_404(Person, request.user, pk, Action.CHANGE)
    form = PersonForm(request.POST or None, instance=person, hold_snils=services.holds_snils_changes(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            result = services.person_update(actor=request.user, person=person, values=form.changed_values())
        except ValidationError as error:
            _spread_errors(error, form)
        else:
            if result.is_pending:  # the same answer whether the new СНИЛС is free or used elsewhere (no oracle)
                messages.info(request, services.SNILS_CHANGE_SUBMITTED)
            else:
                messages.success(request, _("Изменения сохранены."))
            return redirect(person)
    return render(request, "registry/person_form.html", {"form": form, "person": person, "title": person.full_name})


def _person_child_form(request, *, person, form, title: str, message: str):
    if hasattr(form, "bind"):
        form.bind(person=person)  # the model's rules (duplicates, dates) see the whole row
    if request.method == "POST" and form.is_valid():
        item = form.save(commit=False)
        item.person = person
        item.save()
        form.save_m2m()
        messages.success(request, message)
        return redirect(person)
    return render(request, "registry/child_form.html", {"form": form, "person": person, "title": title})


@login_required
def employment_create(request, pk: int):
    person = scoped_or_404(Person, request.user, pk, Action.CHANGE)
    form = EmploymentForm(request.POST or None, user=request.user, person=person)
    return _person_child_form(
        request, person=person, form=form, title=_("Новое место работы"), message=_("Место работы добавлено.")
    )


@login_required
def employment_edit(request, pk: int):
    employment = scoped_or_404(Employment, request.user, pk, Action.CHANGE)
    form = EmploymentForm(request.POST or None, instance=employment, user=request.user, person=employment.person)
    return _person_child_form(
        request,
        person=employment.person,
        form=form,
        title=_("Место работы: %(org)s") % {"org": employment.organisation},
        message=_("Место работы сохранено."),
    )


@login_required
def course_create(request, pk: int):
    person = scoped_or_404(Person, request.user, pk, Action.CHANGE)
    form = CourseCompletionForm(request.POST or None, person=person)
    return _person_child_form(
        request, person=person, form=form, title=_("Пройденные курсы"), message=_("Курсы добавлены.")
    )


@login_required
def course_edit(request, pk: int):
    course = scoped_or_404(CourseCompletion, request.user, pk, Action.CHANGE)
    form = CourseCompletionForm(request.POST or None, instance=course, person=course.person)
    return _person_child_form(
        request, person=course.person, form=form, title=_("Пройденные курсы"), message=_("Курсы сохранены.")
    )


@login_required
def award_create(request, pk: int):
    person = scoped_or_404(Person, request.user, pk, Action.CHANGE)
    form = AwardForm(request.POST or None)
    return _person_child_form(request, person=person, form=form, title=_("Награда"), message=_("Награда добавлена."))


@login_required
def status_create(request, pk: int):
    person = scoped_or_404(Person, request.user, pk, Action.CHANGE)
    form = PersonStatusForm(request.POST or None, person=person)
    return _person_child_form(request, person=person, form=form, title=_("Статус"), message=_("Статус добавлен."))


_DELETABLE = {
    "course": (CourseCompletion, _("Запись о курсах удалена.")),
    "award": (Award, _("Награда удалена.")),
    "status": (PersonStatus, _("Статус удалён.")),
}
PERSON_ITEM_KINDS = tuple(_DELETABLE)


@login_required
@require_POST
def person_item_delete(request, kind: str, pk: int):
    model, message = _DELETABLE.get(kind, (None, None))
    if model is None:
        return HttpResponseBadRequest()
    item = scoped_or_404(model, request.user, pk, Action.CHANGE)
    person = item.person
    item.delete()
    messages.success(request, message)
    return redirect(person)


# Organisations -----------------------------------------------------------------------------------


@login_required
def organisation_list(request):
    queryset = selectors.organisation_list(request.user)
    filterset = OrganisationFilter(request.GET, queryset=queryset, user=request.user)
    table = OrganisationTable(filterset.qs)
    context = _list_context(request, filterset, table)
    import_scope = scope_for(request.user, Action.IMPORT)
    context["can_import"] = import_scope.is_global or bool(import_scope.territory_ids)
    return render(request, "registry/organisation_list.html", context)


@login_required
def organisation_export(request):
    require(request.user, Action.EXPORT)
    queryset = selectors.organisation_list(request.user, Action.EXPORT)
    filterset = OrganisationFilter(request.GET, queryset=queryset, user=request.user)
    rows = filterset.qs.order_by("short_name", "id")
    queued = export_in_background(request, queryset=rows, what=_("Организации"))
    if queued:
        return queued
    return _export(
        request, rows, columns=ORGANISATION_COLUMNS, stem="organizacii", what=_("Организации"), filterset=filterset
    )


@login_required
def organisation_detail(request, pk: int):
    organisation = scoped_or_404(
        Organisation, request.user, pk, queryset=Organisation.objects.select_related("territory")
    )
    classes = (
        SchoolClass.objects.visible_to(request.user)
        .filter(organisation=organisation)
        .order_by("-academic_year", "grade", "letter")
    )
    context = {
        "organisation": organisation,
        "badges": organisation_badges(organisation),
        "staff": selectors.organisation_staff(request.user, organisation),
        "staff_count": selectors.person_list(request.user).working_in([organisation.pk]).count(),
        "classes": classes,
        "can_change": Organisation.objects.visible_to(request.user, Action.CHANGE).filter(pk=pk).exists(),
        "can_import": Organisation.objects.visible_to(request.user, Action.IMPORT).filter(pk=pk).exists(),
    }
    return render(request, "registry/organisation_detail.html", context)


@login_required
def organisation_create(request):
    require(request.user, Action.CHANGE)
    form = OrganisationForm(request.POST or None, user=request.user)
    if not form.fields["territory"].queryset.exists():
        messages.error(request, _("Добавлять организации может методист муниципалитета или администратор."))
        return redirect("registry:organisation_list")
    if request.method == "POST" and form.is_valid():
        organisation = form.save()
        messages.success(request, _("Организация добавлена."))
        return redirect(organisation)
    return render(request, "registry/organisation_form.html", {"form": form, "title": _("Новая организация")})


@login_required
def organisation_edit(request, pk: int):
    organisation = scoped_or_404(Organisation, request.user, pk, Action.CHANGE)
    form = OrganisationForm(request.POST or None, instance=organisation, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Изменения сохранены."))
        return redirect(organisation)
    return render(
        request,
        "registry/organisation_form.html",
        {"form": form, "organisation": organisation, "title": organisation.short_name},
    )


# Classes and teaching assignments ----------------------------------------------------------------


@login_required
def class_create(request, pk: int):
    organisation = scoped_or_404(Organisation, request.user, pk, Action.CHANGE)
    form = SchoolClassForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        school_class = form.save(commit=False)
        school_class.organisation = organisation
        school_class.save()
        messages.success(request, _("Класс %(name)s добавлен.") % {"name": school_class.name})
        return redirect("registry:class_detail", pk=school_class.pk)
    return render(
        request, "registry/class_form.html", {"form": form, "organisation": organisation, "title": _("Новый класс")}
    )


@login_required
def class_detail(request, pk: int):
    school_class = scoped_or_404(
        SchoolClass, request.user, pk, queryset=SchoolClass.objects.select_related("organisation")
    )
    assignments = (
        TeachingAssignment.objects.visible_to(request.user)
        .filter(school_class=school_class)
        .select_related("person", "subject")
        .order_by("subject__sort_order", "person__last_name")
    )
    can_change = SchoolClass.objects.visible_to(request.user, Action.CHANGE).filter(pk=pk).exists()
    form = None
    if can_change:
        form = TeachingAssignmentForm(request.POST or None, school_class=school_class, user=request.user)
        if request.method == "POST" and form.is_valid():
            assignment = form.save(commit=False)
            assignment.school_class = school_class
            assignment.save()
            messages.success(request, _("Нагрузка добавлена."))
            return redirect("registry:class_detail", pk=pk)
    elif request.method == "POST":
        require(request.user, Action.CHANGE)
        raise Http404
    return render(
        request,
        "registry/class_detail.html",
        {"school_class": school_class, "assignments": assignments, "form": form, "can_change": can_change},
    )


@login_required
@require_POST
def assignment_delete(request, pk: int):
    assignment = scoped_or_404(TeachingAssignment, request.user, pk, Action.CHANGE)
    school_class_id = assignment.school_class_id
    assignment.delete()
    messages.success(request, _("Нагрузка удалена."))
    return redirect("registry:class_detail", pk=school_class_id)


# Заявки на подтверждение (person match requests) ---------------------------------------------------------


@login_required
def match_request_list(request):
    """The methodologist's queue: requests they may decide, and the requests the user sent themselves."""
    require(request.user, Action.CHANGE)
    to_review = (
        PersonMatchRequest.objects.reviewable_by(request.user)
        .pending()
        .select_related("organisation__territory", "requested_by")
        .order_by("created_at", "id")
    )
    sent = (
        PersonMatchRequest.objects.filter(requested_by=request.user)
        .select_related("organisation")
        .order_by("-created_at", "-id")[:MATCH_REQUESTS_SENT_SHOWN]
    )
    return render(
        request,
        "registry/match_request_list.html",
        {"to_review": list(to_review[:MATCH_REQUESTS_SHOWN]), "to_review_count": to_review.count(), "sent": sent},
    )


def _match_request_or_404(user, pk: int) -> tuple[PersonMatchRequest, bool]:
    """A request the user may decide (True), or one they sent (False); 404 for any other."""
    base = PersonMatchRequest.objects.select_related(
        "organisation__territory", "requested_by", "matched_person", "snils_change_for"
    )
    reviewable = base.reviewable_by(user).filter(pk=pk).first()
    if reviewable is not None:
        return reviewable, True
    return get_object_or_404(base.filter(requested_by=user), pk=pk), False


@login_required
def match_request_detail(request, pk: int):
    require(request.user, Action.CHANGE)
    match_request, can_decide = _match_request_or_404(request.user, pk)
    context = {"match_request": match_request, "can_decide": can_decide}
    if can_decide:
        context.update(match_selectors.match_request_review(match_request))
    else:
        context.update(match_selectors.match_request_submitted(match_request))
    return render(request, "registry/match_request_detail.html", context)


def _decide(request, pk: int, decide) -> HttpResponse:
    require(request.user, Action.CHANGE)
    match_request, can_decide = _match_request_or_404(request.user, pk)
    if not can_decide:
        raise PermissionDenied
    try:
        message = decide(match_request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, message)
    return redirect("registry:match_request_list")


@login_required
@require_POST
def match_request_confirm(request, pk: int):
    def confirm(match_request):
        had_match = match_request.matched_person_id is not None
        person = services.person_match_request_confirm(actor=request.user, request=match_request)
        template = services.REQUEST_CONFIRMED_MATCH if had_match else services.REQUEST_CONFIRMED_NEW
        if match_request.snils_change_for_id is not None:
            template = services.REQUEST_CONFIRMED_SNILS
        return template % {"name": person.full_name}

    return _decide(request, pk, confirm)


@login_required
@require_POST
def match_request_reject(request, pk: int):
    def reject(match_request):
        services.person_match_request_reject(
            actor=request.user, request=match_request, comment=request.POST.get("comment", "").strip()
        )
        return services.REQUEST_REJECTED

    return _decide(request, pk, reject)
