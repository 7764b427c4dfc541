"""The console's navigation: each page module adds its links with the roles that see them.

The base template lists ``links_for(role)``; a page's own guard (``api.staff``) is what
refuses a role, the list only keeps links a role cannot follow off the page.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    endpoint: str  # "console.worklist"
    label: str     # 待办工作
    roles: tuple[str, ...]


LINKS: list[Link] = []


def add(endpoint: str, label: str, roles) -> None:
    if not any(link.endpoint == endpoint for link in LINKS):
        LINKS.append(Link(endpoint, label, tuple(roles)))


def links_for(role: str | None) -> list[Link]:
    return [link for link in LINKS if role in link.roles]
