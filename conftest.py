"""Shared pytest fixtures: the users of every role and their in-scope / out-of-scope data."""

pytest_plugins = ["metodist.core.tests.fixtures"]
