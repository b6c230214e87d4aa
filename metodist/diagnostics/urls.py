from django.urls import path

from . import views

app_name = "diagnostics"
urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/add/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/open/", views.campaign_open, name="campaign_open"),
    path("campaigns/<int:pk>/remind/", views.campaign_remind, name="campaign_remind"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("campaigns/<int:pk>/export/", views.campaign_export, name="campaign_export"),
    path("campaigns/<int:pk>/test/", views.campaign_test_upload, name="campaign_test_upload"),
    path("campaigns/<int:pk>/test/template/", views.campaign_test_template, name="campaign_test_template"),
    path("my/", views.my_diagnostics, name="my_diagnostics"),
    path("my/<int:pk>/", views.questionnaire, name="questionnaire"),
    path("my/<int:pk>/answer/", views.answer_save, name="answer_save"),
    path("cards/", views.card_list, name="card_list"),
    path("cards/add/", views.card_create, name="card_create"),
    path("cards/<int:pk>/", views.card_detail, name="card_detail"),
    path("cards/<int:pk>/edit/", views.card_edit, name="card_edit"),
    path("cards/<int:pk>/copy/", views.card_copy, name="card_copy"),
    path("observations/", views.observation_list, name="observation_list"),
    path("observations/add/", views.observation_create, name="observation_create"),
    path("observations/<int:pk>/", views.observation_detail, name="observation_detail"),
    path("observations/<int:pk>/edit/", views.observation_edit, name="observation_edit"),
    path(
        "observations/<int:pk>/deficits/<int:deficit_pk>/decide/",
        views.observation_decide,
        name="observation_decide",
    ),
    path("observations/<int:pk>/attachments/add/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
