"""AWS::Glue::Job through the lab's Glue.

Properties (AWS's resource reference): Name, Role, Command, DefaultArguments and
NonOverridableArguments (JSON objects), Connections, Description, ExecutionProperty,
GlueVersion, LogUri, MaxCapacity, AllocatedCapacity, MaxRetries, NotificationProperty,
NumberOfWorkers, WorkerType, SecurityConfiguration, Timeout, ExecutionClass, JobMode,
JobRunQueuingEnabled, MaintenanceWindow. Ref returns the job name; no Fn::GetAtt
attributes. Name is create-only; the rest is updated with UpdateJob, which replaces the
definition as the API does. The job is not started: a stack only defines it (a trigger or
StartJobRun runs it). Tags are not kept: the lab's Glue tags databases and crawlers only.
"""
from __future__ import annotations

from localstack.services.cloudformation.resource_provider import ResourceRequest

from lab_localstack.cloudformation.base import LabResourceProvider, default_name, schema

TYPE = "AWS::Glue::Job"
SETTINGS = ("Role", "Command", "DefaultArguments", "NonOverridableArguments", "Connections", "Description",
            "ExecutionProperty", "GlueVersion", "LogUri", "MaxCapacity", "AllocatedCapacity", "MaxRetries",
            "NotificationProperty", "NumberOfWorkers", "WorkerType", "SecurityConfiguration", "Timeout",
            "ExecutionClass", "JobMode", "JobRunQueuingEnabled", "MaintenanceWindow")
INTEGERS = ("AllocatedCapacity", "MaxRetries", "NumberOfWorkers", "Timeout")


def _settings(model: dict) -> dict:
    out = {key: model[key] for key in SETTINGS if model.get(key) not in (None, "")}
    for key in INTEGERS:   # template values may arrive as strings
        if key in out:
            out[key] = int(out[key])
    if "MaxCapacity" in out:
        out["MaxCapacity"] = float(out["MaxCapacity"])
    if "ExecutionProperty" in out:
        out["ExecutionProperty"] = {k: int(v) for k, v in out["ExecutionProperty"].items()}
    if isinstance(out.get("JobRunQueuingEnabled"), str):
        out["JobRunQueuingEnabled"] = out["JobRunQueuingEnabled"].lower() == "true"
    for key in ("DefaultArguments", "NonOverridableArguments"):
        if key in out:
            out[key] = {str(k): str(v) for k, v in out[key].items()}
    return out


class GlueJobProvider(LabResourceProvider):
    TYPE = TYPE
    SERVICE = "Glue"
    SCHEMA = schema(TYPE, primary=["Name"], create_only=["Name"])

    def _create(self, request: ResourceRequest) -> dict:
        model = request.desired_state
        name = model.get("Name") or default_name(request, limit=255)
        request.aws_client_factory.glue.create_job(Name=name, **_settings(model))
        return {**model, "Name": name}

    def _read(self, request: ResourceRequest) -> dict:
        model = request.desired_state
        job = request.aws_client_factory.glue.get_job(JobName=model["Name"])["Job"]
        return {**model, "Name": job["Name"]}

    def _update(self, request: ResourceRequest) -> dict:
        model, before = request.desired_state, request.previous_state or {}
        name = before["Name"]
        request.aws_client_factory.glue.update_job(JobName=name, JobUpdate=_settings(model))
        return {**model, "Name": name}

    def _delete(self, request: ResourceRequest) -> None:
        model = request.previous_state or request.desired_state
        request.aws_client_factory.glue.delete_job(JobName=model["Name"])
