"""Helpers the tests share: paths, credentials, request bodies, drivers and a live server.

Imported as ``support.<module>`` (setup.cfg puts ``tests`` on pytest's path); the
fixtures stay in ``tests/conftest.py``, which imports what it needs from here.
"""
