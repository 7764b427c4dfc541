"""The staff web console at /console: server-rendered pages in Chinese over the same library calls as the API.

``api`` holds the blueprint (sign-in, the session, CSRF, the role guard, error pages);
each group of pages is a module with ``register_pages(bp)`` listed in ``api.PAGES``,
which also adds its links to the navigation (``nav``) for the roles that may use them.
"""
