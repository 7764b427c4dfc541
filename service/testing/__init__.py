"""Test support shipped with the package: the YAML test-case plugin and app fixtures."""
