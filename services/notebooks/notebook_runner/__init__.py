"""Runs Databricks notebooks (source format) on a local PySpark: see services/notebooks/README.md."""
