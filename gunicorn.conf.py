"""gunicorn's settings file, read from the working directory by default (`make run`, the tests' LiveServer).

Run gunicorn from the repository root, or pass `-c /path/to/gunicorn.conf.py`: without the hook an answer
given before a large body is read (413, 415) says keep-alive and then drops the connection.
"""
from service.web.connection import pre_request  # noqa: F401  (gunicorn reads the hook by its name)
