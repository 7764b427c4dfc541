"""Schema migrations: one sqlite-utils ``Migrations`` set per feature, applied in a fixed order.

Each feature declares its set in its ``tables.py``; ``SETS`` lists them in the order
they first shipped.  Register a new step in its feature's set; never edit one that
has shipped.  sqlite-utils records applied steps in ``_sqlite_migrations``; steps a
database recorded in ``_migrations`` (releases before the sets) count as applied.
Their ``applied_at`` is sqlite-utils' own real UTC time, not the service clock's:
when a file's schema changed is a fact about the file that a clock pinned for a
demo (SXZK_NOW) must not rewrite.
"""
from __future__ import annotations

from sqlite_utils.migrations import Migrations

from service.store.db import write_transaction

LEGACY = "_migrations"


def sets() -> list[Migrations]:
    """The core's set, then each feature's, in the order they first shipped."""
    from service.applications import tables as application_tables
    from service.candidates import tables as candidate_tables
    from service.exceptions import tables as exception_tables
    from service.forms import tables as form_tables
    from service.sanctions import tables as sanction_tables
    from service.store import tables as core_tables
    from service.transfer import tables as transfer_tables

    return [core_tables.MIGRATIONS, candidate_tables.MIGRATIONS, application_tables.MIGRATIONS,
            form_tables.MIGRATIONS, transfer_tables.MIGRATIONS, exception_tables.MIGRATIONS,
            sanction_tables.MIGRATIONS]


def migrate(db) -> list[str]:
    """Apply what is missing, each step in its own write transaction; returns the names applied.

    ``Migrations.apply`` reads what is pending before its transaction and opens a
    deferred one: two processes starting together would both run a step.  So each
    step runs here under the write lock, with what is pending read again inside it,
    and ``apply`` (its own transaction then a savepoint) stops before the next step.
    """
    adopt_legacy(db)
    applied = []
    for steps in sets():
        for name in [m.name for m in steps.pending(db)]:
            with write_transaction(db):
                pending = [m.name for m in steps.pending(db)]
                if name not in pending:
                    continue  # another process applied it meanwhile
                steps.apply(db, stop_before=pending[pending.index(name) + 1:])
                applied.append(name)
    return applied


def adopt_legacy(db) -> list[str]:
    """Mark the steps recorded in ``_migrations`` applied in their sets (at their recorded time); the names marked.

    ``_migrations`` itself stays as it was: the previous release, opened on this
    file again, still finds every step it knows applied.
    """
    if not db[LEGACY].exists():
        return []
    marked = []
    with write_transaction(db):
        recorded = {r["name"]: r["applied_at"] for r in db.query(f"SELECT name, applied_at FROM {LEGACY}")}
        for steps in sets():
            for m in steps.pending(db):
                if m.name in recorded:
                    steps.ensure_migrations_table(db)
                    db[Migrations.migrations_table].insert(
                        {"migration_set": steps.name, "name": m.name, "applied_at": recorded[m.name]})
                    marked.append(m.name)
    return marked


def applied(db) -> list[str]:
    """Every step the database has, in the order of ``sets()``."""
    return [m.name for steps in sets() for m in steps.applied(db)]
