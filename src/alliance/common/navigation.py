"""Each app says which sections it adds to the service navigation and the home page, and which
area of the access policy a person needs to see them: the navigation shows only what a person can
use, so every person lands on a home page that fits their roles."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps

from alliance.access.policy import Action, Area, can


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    description: str
    area: Area | None = None  # None: open to everyone
    action: Action = Action.VIEW
    order: int = 50


def sections_for(user: object) -> list[Section]:
    found: list[Section] = []
    for config in apps.get_app_configs():
        for section in getattr(config, "sections", ()):
            if section.area is None or can(user, section.area, section.action):
                found.append(section)
    return sorted(found, key=lambda s: (s.order, s.label))
