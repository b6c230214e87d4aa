from django.urls import URLPattern, URLResolver

app_name = "diagnostics"
urlpatterns: list[URLPattern | URLResolver] = []
