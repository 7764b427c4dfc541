"""`python -m service`: the `sxzk` command line."""
from service.cli import run

run()
