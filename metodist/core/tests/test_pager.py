"""The one pager of paginated pages (users, audit, imports, jobs) keeps the page's other query parameters."""

from django.core.paginator import Paginator
from django.template import Context, Template
from django.template.loader import render_to_string


def test_pager_links_keep_the_rest_of_the_query():
    page = Paginator(list(range(120)), 50).get_page(2)
    html = Template(
        "{% with who=actor|urlencode %}"
        '{% include "includes/pager.html" with extra="action="|add:action|add:"&actor="|add:who %}'
        "{% endwith %}"
    ).render(Context({"page": page, "action": "1", "actor": "Иван"}))
    assert 'href="?page=1&amp;action=1&amp;actor=%D0%98%D0%B2%D0%B0%D0%BD"' in html
    assert 'href="?page=3&amp;action=1&amp;actor=%D0%98%D0%B2%D0%B0%D0%BD"' in html
    assert "2 / 3" in html


def test_pager_without_extra_and_on_a_single_page():
    assert 'href="?page=1"' in render_to_string(
        "includes/pager.html", {"page": Paginator(list(range(60)), 50).get_page(2)}
    )
    assert "pagination" not in render_to_string("includes/pager.html", {"page": Paginator([1], 50).get_page(1)})
