from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "competences"
urlpatterns: list[URLPattern | URLResolver] = [
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/template.xlsx", views.framework_template, name="framework_template"),
    path("frameworks/upload/", views.framework_upload, name="framework_upload"),
    path("frameworks/upload/<int:pk>/", views.framework_upload_preview, name="framework_upload_preview"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework_detail"),
    path("frameworks/<int:pk>/edit/", views.framework_edit, name="framework_edit"),
    path("frameworks/<int:pk>/nodes/add/", views.node_create, name="node_create"),
    path("nodes/<int:pk>/edit/", views.node_edit, name="node_edit"),
    path("nodes/<int:pk>/delete/", views.node_delete, name="node_delete"),
    path("deficits/", views.deficit_list, name="deficit_list"),
    path("deficits/export/", views.deficit_export, name="deficit_export"),
    path("deficits/report/", views.deficit_report, name="deficit_report"),
    path("deficits/<int:pk>/", views.deficit_detail, name="deficit_detail"),
    path("deficits/<int:pk>/decide/", views.deficit_decide, name="deficit_decide"),
    path("deficits/<int:pk>/close/", views.deficit_close, name="deficit_close"),
    path("people/<int:pk>/", views.person_deficits, name="person_deficits"),
    path("my/", views.my_deficits, name="my_deficits"),
]
