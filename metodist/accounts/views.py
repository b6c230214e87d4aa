"""The user's own page: roles, linked profile, API token."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from .roles import roles_of


@login_required
def profile(request):
    token = Token.objects.filter(user=request.user).first()
    return render(request, "accounts/profile.html", {"roles": roles_of(request.user), "token": token})


@login_required
@require_POST
def token_regenerate(request):
    Token.objects.filter(user=request.user).delete()
    Token.objects.create(user=request.user)
    messages.success(request, _("Выпущен новый API-токен; прежний больше не действует."))
    return redirect("accounts:profile")
