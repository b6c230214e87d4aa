"""The menu and the dashboard as registries: each app contributes its items and cards; core knows no app.

An app calls :func:`register_menu_item` and :func:`register_dashboard_card` from its ``AppConfig.ready()``
(and :func:`register_object_link` for a button on another app's object page, e.g. a person's «Дефициты»)
(the registry's ``contributions`` module is an example). The context processor builds the menu from the items whose
``visible(user)`` is true; the dashboard view renders the cards whose ``context(request)`` returns a dict
(``None`` hides the card), merging their context into the page's, in ``order``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.urls import reverse

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from .types import AnyUser

UserTest = Callable[[Any], bool]  # (user) -> bool
UserUrl = Callable[[Any], str | None]  # (user) -> URL or None (hidden)
CardContext = Callable[[HttpRequest], dict[str, Any] | None]  # (request) -> dict or None (hidden)


def _always(user: AnyUser) -> bool:
    return True


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: StrOrPromise
    url: str | UserUrl  # a URL name, or a function (user) -> URL or None (hidden)
    visible: UserTest = _always
    order: int = 100
    active_prefix: str | None = None  # a path prefix that marks the item active; default: its URL
    section: str | None = None  # a menu section (register_menu_section): shown in its dropdown

    def resolve(self, user: AnyUser) -> str | None:
        return self.url(user) if callable(self.url) else reverse(self.url)


@dataclass(frozen=True)
class DashboardCard:
    key: str
    template: str
    context: CardContext
    order: int = 100


@dataclass(frozen=True)
class MenuSection:
    key: str
    label: StrOrPromise


_MENU: dict[str, MenuItem] = {}
_SECTIONS: dict[str, MenuSection] = {}
_CARDS: dict[str, DashboardCard] = {}


def register_menu_item(
    key: str,
    *,
    label: StrOrPromise,
    url: str | UserUrl,
    visible: UserTest = _always,
    order: int = 100,
    active_prefix: str | None = None,
    section: str | None = None,
) -> MenuItem:
    """Add (or replace) the menu item ``key``; items of one ``section`` share a dropdown in the top bar."""
    item = MenuItem(
        key=key, label=label, url=url, visible=visible, order=order, active_prefix=active_prefix, section=section
    )
    _MENU[key] = item
    return item


def register_menu_section(key: str, *, label: StrOrPromise) -> MenuSection:
    """Add (or replace) a menu section: the top bar shows its visible items as one dropdown, placed where
    its first item would stand (a section with a single visible item shows that item alone)."""
    section = MenuSection(key=key, label=label)
    _SECTIONS[key] = section
    return section


def register_dashboard_card(key: str, *, template: str, context: CardContext, order: int = 100) -> DashboardCard:
    """Add (or replace) the dashboard card ``key``: ``context(request)`` gives its data or ``None`` to hide it."""
    card = DashboardCard(key=key, template=template, context=context, order=order)
    _CARDS[key] = card
    return card


def menu_for(request: HttpRequest) -> list[dict[str, Any]]:
    """The menu of ``request.user``: label, URL and whether it is the current section."""
    user = request.user
    items = []
    for item in sorted(_MENU.values(), key=lambda i: (i.order, i.key)):
        if not item.visible(user):
            continue
        url = item.resolve(user)
        if url is None:
            continue
        prefix = item.active_prefix or url
        active = request.path == url if prefix == "/" else request.path.startswith(prefix)
        items.append({"key": item.key, "label": item.label, "url": url, "active": active, "section": item.section})
    return items


def menu_tree(request: HttpRequest) -> list[dict[str, Any]]:
    """The top bar of ``request.user``: items, and sections (``children``) where two or more share one."""
    items = menu_for(request)
    counts: dict[str, int] = {}
    for item in items:
        if item["section"] in _SECTIONS:
            counts[item["section"]] = counts.get(item["section"], 0) + 1
    tree: list[dict[str, Any]] = []
    placed: dict[str, dict[str, Any]] = {}
    for item in items:
        key = item["section"]
        if key not in _SECTIONS or counts[key] < 2:
            tree.append(item)
            continue
        if key not in placed:
            placed[key] = {"key": key, "label": _SECTIONS[key].label, "children": [], "active": False}
            tree.append(placed[key])
        placed[key]["children"].append(item)
        placed[key]["active"] = placed[key]["active"] or item["active"]
    return tree


def dashboard_cards(request: HttpRequest) -> tuple[list[str], dict[str, Any]]:
    """The templates of the cards shown to ``request.user`` and their merged context."""
    templates: list[str] = []
    context: dict[str, Any] = {}
    for card in sorted(_CARDS.values(), key=lambda c: (c.order, c.key)):
        data = card.context(request)
        if data is None:
            continue
        templates.append(card.template)
        context.update(data)
    return templates, context


# Links on another app's object page (a person's page links to the person's deficits, routes …) ------------

ObjectUrl = Callable[[Any, Any], str | None]  # (user, object) -> URL or None (hidden)


@dataclass(frozen=True)
class ObjectLink:
    key: str
    model: str  # "app_label.modelname"
    label: StrOrPromise
    url: ObjectUrl
    icon: str = ""
    order: int = 100


_OBJECT_LINKS: dict[str, ObjectLink] = {}


def register_object_link(
    key: str, *, model: str, label: StrOrPromise, url: ObjectUrl, icon: str = "", order: int = 100
) -> ObjectLink:
    """Add (or replace) a link shown on the page of every ``model`` object (``"registry.person"``).

    ``url(user, obj)`` gives the URL or ``None`` to hide the link; it must not reveal anything the page's
    viewer may not see (check rights, not data).
    """
    link = ObjectLink(key=key, model=model.lower(), label=label, url=url, icon=icon, order=order)
    _OBJECT_LINKS[key] = link
    return link


def object_links(user: AnyUser, obj: Any) -> list[dict[str, Any]]:
    """The links registered for ``obj``'s model that ``user`` gets: label, URL, icon."""
    label = obj._meta.label_lower
    links = []
    for link in sorted(_OBJECT_LINKS.values(), key=lambda item: (item.order, item.key)):
        if link.model != label:
            continue
        url = link.url(user, obj)
        if url:
            links.append({"key": link.key, "label": link.label, "url": url, "icon": link.icon})
    return links
