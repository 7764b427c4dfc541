"""Per-candidate exceptions (substitute, waive) recorded by staff, kept apart from the ruleset (docs/exceptions.md)."""
