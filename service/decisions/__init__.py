"""Deciding and recording: the rulebook in force, evaluate-and-record, replay, canonical input, their HTTP API."""
