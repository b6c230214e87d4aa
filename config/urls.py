from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("", include("metodist.core.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # «Забыли пароль?» and the invitation link (metodist.accounts.services.password_link) share these pages.
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/set/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/password/set/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("accounts/", include("metodist.accounts.urls")),
    path("registry/", include("metodist.registry.urls")),
    path("imports/", include("metodist.imports.urls")),
    path("jobs/", include("metodist.jobs.urls")),
    path("assessments/", include("metodist.assessments.urls")),
    path("competences/", include("metodist.competences.urls")),
    path("diagnostics/", include("metodist.diagnostics.urls")),
    path("analysis/", include("metodist.analysis.urls")),
    path("api/", include("config.api")),
    path("admin/", admin.site.urls),
]
