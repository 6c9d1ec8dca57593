"""The lab's dashboards: the workshop's "Kibana" part for OpenSearch Dashboards.

What lives here (one responsibility per module):

- ``template.py``       the index template for ``apache*`` and the field types it declares
- ``sources.py``        the indices the panels read (``apache*``; ``web-access-counts``, the
                        streaming SQL application's rows) and their index patterns
- ``panels.py``         every panel and dashboard, defined once (Dashboards *and* the report use it)
- ``saved_objects.py``  panels -> Saved Objects (NDJSON) for the pinned OpenSearch Dashboards
- ``legacy.py``         Kibana 6.x JSON export -> importable NDJSON
- ``loader.py``         puts the template into OpenSearch and imports the saved objects
- ``aggregations.py``   panels -> OpenSearch aggregation queries -> plain results
- ``charts.py``         one panel result -> a matplotlib figure (SVG for HTML, PNG files)
- ``report.py``         the self-contained HTML report, the PNGs and the terminal summary
- ``__main__.py``       the command line (``python -m kibana_dashboards --help``)
"""

# OpenSearch and OpenSearch Dashboards are pinned to this same version in the
# compose lab; the saved objects' migrationVersion values are those of this release.
DASHBOARDS_VERSION = "2.19.4"

# The lab's index pattern: fixed id so every visualization can reference it.
INDEX_PATTERN_ID = "clickstream-apache"
INDEX_PATTERN_TITLE = "apache*"
TIME_FIELD = "@timestamp"
