"""Storage on one SQLite file (sqlite-utils): migrations, decision log, ruleset archive."""
