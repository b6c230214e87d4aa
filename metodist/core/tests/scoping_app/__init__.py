"""A test-only app proving relation scopes and per-capability permissions (INSTALLED_APPS in test settings only).

``Mentorship`` links a mentor to a mentee (both registry people); ``Route`` is a mentee's individual
route in a capability of its own (``"test_routes"``). The app registers, from ``ready()``:

* relation scopes of the registry capability: a mentor sees their mentees and their employments —
  the public card only (VIEW, not VIEW_PERSONAL), and may change nothing in the registry;
* the ``test_routes`` capability: territory roles per the usual table, and a relation scope that lets
  a mentor view *and change* their mentees' routes.
"""
