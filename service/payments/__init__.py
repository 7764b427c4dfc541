"""Payment of the graduation fee: orders, sandbox providers, callbacks and CLI."""
