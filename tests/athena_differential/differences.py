"""Where the lab's DuckDB engine and Trino 476 answer differently, each with its reason
(statement name -> reason). A listed statement's test checks that the difference is still
there, so the list cannot go stale; fixing one in the DuckDB engine means deleting its line."""
from __future__ import annotations

KNOWN: dict[str, str] = {
    "json_iso_timestamps": "from_iso8601_timestamp keeps the string's offset in Trino (04:29:26.000 +01:00); "
                           "DuckDB's TIMESTAMPTZ stores no zone, so the DuckDB engine prints the instant in UTC",
    "json_timestamp_parts": "the same zone: hour() of a +01:00 timestamp is the hour at +01:00 in Trino, the UTC "
                            "hour in the DuckDB engine (the instants, to_unixtime, agree)",
    "json_integer_division": "ColumnInfo type only: integer / integer is integer in Trino; the DuckDB engine "
                             "reports bigint (DuckDB widens integer arithmetic); the values agree",
    "json_array_agg": "array_join skips NULL elements in Trino (an array of one NULL joins to ''); DuckDB's "
                      "array_to_string of it is NULL",
    "parquet_decimal_sum": "avg(decimal(10,2)) is decimal(10,2) in Trino (333.08), double in DuckDB "
                           "(333.0833333333333)",
    "parquet_dates": "date_add('day', n, date) is a date in Trino; the DuckDB engine returns a timestamp",
    "literals": "ColumnInfo type only: a bare NULL is Trino's type 'unknown'; DuckDB types it integer",
    "json_functions": "ColumnInfo type only: json_array_length is bigint in Trino; the DuckDB engine's "
                      "translation reports decimal",
    "parquet_timestamp_literals": "TIMESTAMP '2026-11-03 10:00:00' is timestamp(0) in Trino, printed without a "
                                  "fraction; the DuckDB engine prints every timestamp with milliseconds",
    "read_view_rows_on_trino": "a view stored as Athena stores it in Glue (no owner, a definer view) fails on "
                               "Trino 476: INVALID_VIEW: Run-as identity must be set for a run-as definer view "
                               "(trinodb/trino#18573); the view Trino itself wrote reads on both engines",
    "error_division_by_zero": "integer division by zero: Trino fails DIVISION_BY_ZERO; the DuckDB engine "
                              "fails INVALID_CAST_ARGUMENT",
}
