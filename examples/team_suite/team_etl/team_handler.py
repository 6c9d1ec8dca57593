"""The team's ETL: the workshop's `apache_ETL`, plus a `pipeline` field on every document.

Deployed as handler `team_handler.lambda_handler`; this folder is laid over the lab's ETL zip,
so `etl.handler` (the workshop's handler) is importable beside it.
"""
import base64
import json

from etl.handler import lambda_handler as workshop_handler

PIPELINE = "team-etl-v2"


def lambda_handler(event, context=None):
    response = workshop_handler(event, context)
    for record in response["records"]:
        if record["result"] == "Ok":
            document = json.loads(base64.b64decode(record["data"]))
            document["pipeline"] = PIPELINE
            data = json.dumps(document, separators=(",", ":")) + "\n"
            record["data"] = base64.b64encode(data.encode()).decode()
    return response
