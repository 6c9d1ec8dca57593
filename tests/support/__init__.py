"""Helpers the test suites share (imported by test modules; not tests themselves)."""
