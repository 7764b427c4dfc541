"""Graduation-eligibility service of Shanxi's higher-education self-study examinations."""

__version__ = "0.1.0"
