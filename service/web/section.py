"""A feature's routes documented as a part of another feature's API."""
from __future__ import annotations

from flask_smorest import Blueprint


class Section(Blueprint):
    """A blueprint whose operations carry the tag of the blueprint named ``part_of``.

    Clients group the OpenAPI operations by tag, so moving routes to the feature that
    owns them must not regroup them: a section's operations keep the tag they had, and
    the section adds no tag of its own to the document (``service.app._Api``).
    """

    def __init__(self, name: str, import_name: str, *, part_of: str, **kwargs):
        super().__init__(name, import_name, **kwargs)
        self.part_of = part_of

    def route(self, rule, *, parameters=None, tags=None, **options):
        return super().route(rule, parameters=parameters, tags=tags or [self.part_of], **options)
