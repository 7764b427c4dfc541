"""marshmallow schemas shared by the HTTP API, the OpenAPI document and the CLI."""
