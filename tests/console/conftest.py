"""The console's tests: the browser fixtures of tests/support/browser.py."""
from support.browser import browser, console_page, live_console  # noqa: F401 - fixtures
