"""AWS::Glue::Crawler through the lab's Glue.

Properties (AWS's resource reference): Name, Role, DatabaseName, Description, Targets,
Schedule ({ScheduleExpression: cron(...)}; the API takes the bare expression),
Classifiers, TablePrefix, SchemaChangePolicy, RecrawlPolicy, Configuration,
CrawlerSecurityConfiguration, LakeFormationConfiguration, Tags (a JSON object).
Ref returns the crawler name; no Fn::GetAtt attributes. Name is create-only; the rest
is updated in place with UpdateCrawler (a removed Schedule is cleared with an empty
one, as the API does). The crawler is not started: a stack only defines it.
"""
from __future__ import annotations

import json

from localstack.services.cloudformation.resource_provider import ResourceRequest

from lab_localstack.cloudformation.base import LabResourceProvider, default_name, schema

TYPE = "AWS::Glue::Crawler"
SETTINGS = ("Role", "DatabaseName", "Description", "Targets", "Classifiers", "TablePrefix", "SchemaChangePolicy",
            "RecrawlPolicy", "Configuration", "CrawlerSecurityConfiguration", "LakeFormationConfiguration")


def _schedule(model: dict) -> str:
    schedule = model.get("Schedule") or {}
    return schedule.get("ScheduleExpression", "") if isinstance(schedule, dict) else str(schedule)


def _settings(model: dict) -> dict:
    out = {key: model[key] for key in SETTINGS if model.get(key) not in (None, "")}
    if isinstance(out.get("Configuration"), dict):   # CloudFormation users sometimes give the JSON as an object
        out["Configuration"] = json.dumps(out["Configuration"])
    return out


class GlueCrawlerProvider(LabResourceProvider):
    TYPE = TYPE
    SERVICE = "Glue"
    SCHEMA = schema(TYPE, primary=["Name"], create_only=["Name"])

    def _create(self, request: ResourceRequest) -> dict:
        model = request.desired_state
        name = model.get("Name") or default_name(request, limit=255)
        extra = {"Schedule": _schedule(model)} if _schedule(model) else {}
        if model.get("Tags"):
            extra["Tags"] = {str(k): str(v) for k, v in model["Tags"].items()}
        request.aws_client_factory.glue.create_crawler(Name=name, **_settings(model), **extra)
        return {**model, "Name": name}

    def _read(self, request: ResourceRequest) -> dict:
        model = request.desired_state
        crawler = request.aws_client_factory.glue.get_crawler(Name=model["Name"])["Crawler"]
        return {**model, "Name": crawler["Name"]}

    def _update(self, request: ResourceRequest) -> dict:
        model, before = request.desired_state, request.previous_state or {}
        name = before["Name"]
        cleared = {key: "" for key in ("Description", "TablePrefix", "Configuration")
                   if before.get(key) and not model.get(key)}
        request.aws_client_factory.glue.update_crawler(
            Name=name, **cleared, **_settings(model), Schedule=_schedule(model))
        return {**model, "Name": name}

    def _delete(self, request: ResourceRequest) -> None:
        model = request.previous_state or request.desired_state
        request.aws_client_factory.glue.delete_crawler(Name=model["Name"])
