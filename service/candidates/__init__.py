"""Candidates (考生): records, import, personal centre, prior diplomas, history, demo data and HTTP API."""
