"""The lab's own OpenSearch Dashboards server, natively (issue 37): first slice, the saved
objects API.

OpenSearch Dashboards cannot be installed without Docker, so the native lab serves its HTTP API
itself, on the lab's real OpenSearch, with saved objects kept where Dashboards keeps them (the
`.kibana` index: `<type>:<id>` documents). The loader (`python -m kibana_dashboards load
--url ...`) and scripts written for Dashboards work unchanged against either.

- ``errors.py``   Dashboards' error answers (``{"statusCode", "error", "message"}``)
- ``store.py``    saved objects in the `.kibana` index: raw documents, versions, find
- ``transfer.py`` the `_import` and `_export` algorithms (conflicts, references, order)
- ``server.py``   the HTTP routes, the `osd-xsrf` rule, multipart uploads
- ``__main__.py`` ``python -m lab_dashboards --port N --opensearch-url URL [--bind ADDR]``;
                  ``command()`` gives that argv to the lab's process supervision
"""

from kibana_dashboards import DASHBOARDS_VERSION

# The release whose API this server answers like: the compose lab's image, and the format of
# the saved objects kibana_dashboards builds.
VERSION = DASHBOARDS_VERSION
