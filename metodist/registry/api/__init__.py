"""REST API of the registry (``/api/v1/``): scoped, read-mostly endpoints. See docs/api.md."""
