"""What reads each workflow and transfer file of the bundle: the checks the rules core is handed.

The rules core imports no feature (setup.cfg's contracts), so the loader is given
these by whoever loads a bundle for the service: the app's Rulebook, `sxzk check`,
`test`, `diff` and `publish`.  A file missing here would be hashed but never checked.
"""
from __future__ import annotations

from service.applications import states as application_states
from service.identity import states as identity_states
from service.reference import districts, exception_states, fees, transfer_rules, windows


def table_checks() -> dict:
    """{path: (path, parsed data) -> table} for every ``service.rules.loader.TABLE_FILES`` file."""
    return {
        districts.FILE: districts.read,
        windows.FILE: windows.read,
        fees.FILE: fees.read,
        identity_states.FILE: identity_states.read,
        application_states.FILE: application_states.read,
        exception_states.FILE: exception_states.read,
        transfer_rules.RULES_FILE: transfer_rules.read,
        transfer_rules.STATES_FILE: transfer_rules.read_states,
    }
