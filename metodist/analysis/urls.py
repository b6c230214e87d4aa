from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "analysis"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("<int:procedure>/territory/<int:pk>/", views.territory, name="territory"),
    path("<int:procedure>/territory/<int:pk>/export/", views.territory_export, name="territory_export"),
    path("<int:procedure>/school/<int:pk>/", views.school, name="school"),
    path("<int:procedure>/school/<int:pk>/export/", views.school_export, name="school_export"),
    path("<int:procedure>/school/<int:pk>/report/", views.school_report, name="school_report"),
    path("<int:procedure>/territory/<int:pk>/proposals/", views.territory_proposals, name="territory_proposals"),
    path("<int:procedure>/territory/<int:pk>/propose/", views.territory_propose, name="territory_propose"),
    path("<int:procedure>/school/<int:pk>/proposals/", views.school_proposals, name="school_proposals"),
    path("<int:procedure>/school/<int:pk>/propose/", views.school_propose, name="school_propose"),
    path("class/<int:pk>/", views.class_page, name="class"),
    path("class/<int:pk>/propose/", views.class_propose, name="class_propose"),
    path("class/<int:pk>/export/", views.class_export, name="class_export"),
    path("low-results/", views.low_results, name="low_results"),
    path("thresholds/", views.thresholds_list, name="thresholds"),
    path("thresholds/global/", views.thresholds_edit, name="thresholds_global"),
    path("thresholds/<int:territory>/", views.thresholds_edit, name="thresholds_edit"),
    path("thresholds/<int:territory>/reset/", views.thresholds_reset, name="thresholds_reset"),
    path("references/", views.reference_list, name="references"),
    path("references/upload/", views.reference_upload, name="reference_upload"),
    path("references/manual/", views.reference_manual, name="reference_manual"),
    path("references/<int:pk>/delete/", views.reference_delete, name="reference_delete"),
]
