"""Benchmarks of the eligibility service: ``python -m bench.run_all`` or ``python -m bench.<name>``.

Each script prints its figures and appends one JSON line per run to
``bench/results.jsonl`` with the machine it ran on and the load at the time.
"""
