"""The rules core: curricula and rulesets as data, allocation, compilation, engine.

Nothing in this package imports Flask or SQLite: views and stores translate to
and from these plain objects.
"""
