"""Audit and operations: the auditors' read-only API, replay and export of the decision log, backup and restore."""
