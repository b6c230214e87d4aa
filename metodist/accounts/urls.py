from django.urls import path

from . import two_factor, views

app_name = "accounts"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/token/", views.token_regenerate, name="token_regenerate"),
    path("two-factor/", two_factor.two_factor, name="two_factor"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/staff/", views.staff_accounts, name="staff_accounts"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/roles/", views.role_add, name="role_add"),
    path("users/<int:pk>/roles/<int:assignment_pk>/remove/", views.role_remove, name="role_remove"),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/invitation/", views.invitation_resend, name="invitation_resend"),
]
