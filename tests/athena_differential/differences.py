"""Where the lab's DuckDB engine and Trino 476 answer differently, each with its reason
(statement name -> reason). A listed statement's test checks that the difference is still
there, so the list cannot go stale."""
from __future__ import annotations

KNOWN: dict[str, str] = {
}
