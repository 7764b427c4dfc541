"""The web layer: authentication, rate limit, access log, JSON provider, error handlers, shared schemas."""
