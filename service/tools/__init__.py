"""Tools for curriculum staff and auditors: check, test, explain, diff, what-if, publish, export, replay; audit API."""
