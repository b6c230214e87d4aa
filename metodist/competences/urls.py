from django.urls import URLPattern, URLResolver

app_name = "competences"
urlpatterns: list[URLPattern | URLResolver] = []
