"""AWS::Athena::WorkGroup through the lab's Athena.

Properties (AWS's resource reference): Name, Description, State (ENABLED|DISABLED),
Tags, WorkGroupConfiguration (ResultConfiguration, EnforceWorkGroupConfiguration,
PublishCloudWatchMetricsEnabled, RequesterPaysEnabled, BytesScannedCutoffPerQuery,
EngineVersion, ...), RecursiveDeleteOption. Ref returns the work group's name;
Fn::GetAtt gives CreationTime (a UNIX timestamp in seconds, as a string) and
WorkGroupConfiguration.EngineVersion.EffectiveEngineVersion. Name is create-only;
the rest is applied with UpdateWorkGroup (ConfigurationUpdates; a removed output
location is removed). Delete passes RecursiveDeleteOption on to DeleteWorkGroup.
"""
from __future__ import annotations

import copy

from localstack.services.cloudformation.resource_provider import ResourceRequest

from lab_localstack.cloudformation.base import LabResourceProvider, default_name, schema

TYPE = "AWS::Athena::WorkGroup"
UPDATABLE = ("EnforceWorkGroupConfiguration", "PublishCloudWatchMetricsEnabled", "RequesterPaysEnabled",
             "BytesScannedCutoffPerQuery", "EngineVersion", "AdditionalConfiguration", "ExecutionRole",
             "CustomerContentEncryptionConfiguration")


def _configuration(model: dict) -> dict:
    config = copy.deepcopy(model.get("WorkGroupConfiguration") or {})
    if isinstance(config.get("EngineVersion"), dict):   # read-only member, not accepted by the API
        config["EngineVersion"] = {k: v for k, v in config["EngineVersion"].items() if k == "SelectedEngineVersion"}
    return config


def _configuration_updates(model: dict, before: dict) -> dict:
    config = _configuration(model)
    updates = {key: config[key] for key in UPDATABLE if key in config}
    result = config.get("ResultConfiguration") or {}
    had_output = ((before.get("WorkGroupConfiguration") or {}).get("ResultConfiguration") or {}).get("OutputLocation")
    if result.get("OutputLocation"):
        updates["ResultConfigurationUpdates"] = {"OutputLocation": result["OutputLocation"]}
    elif had_output:
        updates["ResultConfigurationUpdates"] = {"RemoveOutputLocation": True}
    return updates


class AthenaWorkGroupProvider(LabResourceProvider):
    TYPE = TYPE
    SERVICE = "Athena"
    SCHEMA = schema(TYPE, primary=["Name"], create_only=["Name"],
                    read_only=["CreationTime", "WorkGroupConfiguration/EngineVersion/EffectiveEngineVersion"])

    def _create(self, request: ResourceRequest) -> dict:
        model = request.desired_state
        athena = request.aws_client_factory.athena
        name = model.get("Name") or default_name(request)
        extra = {"Description": model["Description"]} if model.get("Description") else {}
        if model.get("Tags"):
            extra["Tags"] = model["Tags"]
        athena.create_work_group(Name=name, Configuration=_configuration(model), **extra)
        if model.get("State") == "DISABLED":
            athena.update_work_group(WorkGroup=name, State="DISABLED")
        return self._with_attributes(request, {**model, "Name": name})

    @staticmethod
    def _with_attributes(request: ResourceRequest, model: dict) -> dict:
        wg = request.aws_client_factory.athena.get_work_group(WorkGroup=model["Name"])["WorkGroup"]
        out = copy.deepcopy(model)
        out["CreationTime"] = str(int(wg["CreationTime"].timestamp()))
        engine = (wg.get("Configuration") or {}).get("EngineVersion") or {}
        if engine.get("EffectiveEngineVersion"):
            out.setdefault("WorkGroupConfiguration", {}).setdefault("EngineVersion", {})[
                "EffectiveEngineVersion"] = engine["EffectiveEngineVersion"]
        return out

    def _read(self, request: ResourceRequest) -> dict:
        return self._with_attributes(request, request.desired_state)

    def _update(self, request: ResourceRequest) -> dict:
        model, before = request.desired_state, request.previous_state or {}
        name = before["Name"]
        request.aws_client_factory.athena.update_work_group(
            WorkGroup=name, Description=model.get("Description", ""), State=model.get("State") or "ENABLED",
            ConfigurationUpdates=_configuration_updates(model, before))
        return self._with_attributes(request, {**model, "Name": name})

    def _delete(self, request: ResourceRequest) -> None:
        model = request.previous_state or request.desired_state
        recursive = str(model.get("RecursiveDeleteOption", False)).lower() == "true"
        request.aws_client_factory.athena.delete_work_group(WorkGroup=model["Name"], RecursiveDeleteOption=recursive)
