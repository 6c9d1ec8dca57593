"""Checks a newcomer runs by hand (`python -m tests.tools.<name>`); the suite runs them too."""
