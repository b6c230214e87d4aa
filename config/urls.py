from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("", include("metodist.core.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("metodist.accounts.urls")),
    path("registry/", include("metodist.registry.urls")),
    path("imports/", include("metodist.imports.urls")),
    path("api/", include("config.api")),
    path("admin/", admin.site.urls),
]
