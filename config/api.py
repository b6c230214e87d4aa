"""The REST API: one router for every app's endpoints, the token endpoint and the OpenAPI schema."""


app_name = "api"
urlpatterns: list = []
