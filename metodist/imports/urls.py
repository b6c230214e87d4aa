from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("history/", views.history, name="list"),
    path("template/<str:kind>/", views.download_template, name="template"),
    path("<int:pk>/", views.preview, name="preview"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/recheck/", views.recheck, name="recheck"),
    path("<int:pk>/errors/", views.errors_file, name="errors_file"),
]
