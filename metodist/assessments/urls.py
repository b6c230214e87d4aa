from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("", views.procedure_list, name="procedure_list"),
    path("new/", views.procedure_create, name="procedure_create"),
    path("<int:pk>/", views.procedure_detail, name="procedure_detail"),
    path("<int:pk>/edit/", views.procedure_edit, name="procedure_edit"),
    path("<int:pk>/tasks/", views.procedure_tasks, name="procedure_tasks"),
    path("<int:pk>/tasks/import/", views.procedure_spec_import, name="procedure_spec_import"),
    path("<int:pk>/tasks/download/", views.procedure_spec_download, name="procedure_spec_download"),
    path("specification-template/", views.specification_template_download, name="specification_template"),
    path("results-template/", views.results_template_download, name="results_template"),
    path("upload/", views.upload, name="upload"),
    path("uploads/", views.upload_list, name="upload_list"),
    path("uploads/<int:pk>/", views.upload_preview, name="upload_preview"),
    path("uploads/<int:pk>/apply/", views.upload_apply, name="upload_apply"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
]
