"""The graduation application workflow: candidates, windows, identity, applications, payments."""
from . import application_tables, candidate_tables, cli, payments_cli
from .applications_api import blp as applications_blp
from .payments_api import blp as payments_blp
from .payments_api import callbacks as payment_callbacks_blp

BLUEPRINTS = [applications_blp, payments_blp, payment_callbacks_blp]
MIGRATIONS = candidate_tables.MIGRATIONS + application_tables.MIGRATIONS
COMMANDS = cli.COMMANDS + payments_cli.COMMANDS
