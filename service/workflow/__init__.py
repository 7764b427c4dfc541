"""The graduation application workflow: candidates, windows, identity, applications, payments.

Plugs into the app through service.areas: BLUEPRINTS, MIGRATIONS and COMMANDS are
plain lists; each part of the workflow appends its own.
"""
from . import application_tables, candidate_tables, cli, payments_cli
from .applications_api import blp as applications_blp
from .candidates_api import blp as candidates_blp
from .payments_api import blp as payments_blp
from .payments_api import callbacks as payment_callbacks_blp

BLUEPRINTS = [candidates_blp]
MIGRATIONS = list(candidate_tables.MIGRATIONS)
COMMANDS = list(cli.COMMANDS)

# the application state machine and payments
BLUEPRINTS += [applications_blp, payments_blp, payment_callbacks_blp]
MIGRATIONS += application_tables.MIGRATIONS
COMMANDS += payments_cli.COMMANDS
