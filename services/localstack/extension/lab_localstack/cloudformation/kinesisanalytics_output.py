"""AWS::KinesisAnalytics::ApplicationOutput through the lab's Kinesis Analytics.

Properties (AWS's resource reference): ApplicationName, Output (Name, DestinationSchema,
KinesisStreamsOutput | KinesisFirehoseOutput | LambdaOutput). Added with
AddApplicationOutput and removed with DeleteApplicationOutput (each against the
application's current version). AWS does not say what Ref returns beyond "the resource
id": here it is the output's OutputId (lab's choice). ApplicationName is create-only; a
changed Output is removed and added again.
"""
from __future__ import annotations

from localstack.services.cloudformation.resource_provider import ResourceRequest

from lab_localstack.cloudformation.base import LabResourceProvider, schema

TYPE = "AWS::KinesisAnalytics::ApplicationOutput"


def _detail(request: ResourceRequest, name: str) -> dict:
    return request.aws_client_factory.kinesisanalytics.describe_application(ApplicationName=name)["ApplicationDetail"]


class KinesisAnalyticsOutputProvider(LabResourceProvider):
    TYPE = TYPE
    SERVICE = "KinesisAnalytics"
    SCHEMA = schema(TYPE, primary=["Id"], create_only=["ApplicationName"], read_only=["Id"])

    def _create(self, request: ResourceRequest) -> dict:
        model = request.desired_state
        name, output = model.get("ApplicationName"), model.get("Output") or {}
        kda = request.aws_client_factory.kinesisanalytics
        version = _detail(request, name)["ApplicationVersionId"]
        kda.add_application_output(ApplicationName=name, CurrentApplicationVersionId=version, Output=output)
        described = _detail(request, name).get("OutputDescriptions") or []
        output_id = next(o["OutputId"] for o in reversed(described) if o.get("Name") == output.get("Name"))
        return {**model, "Id": output_id}

    def _read(self, request: ResourceRequest) -> dict:
        return request.desired_state

    def _update(self, request: ResourceRequest) -> dict:
        self._delete(request)
        return self._create(request)

    def _delete(self, request: ResourceRequest) -> None:
        model = request.previous_state or request.desired_state
        version = _detail(request, model["ApplicationName"])["ApplicationVersionId"]
        request.aws_client_factory.kinesisanalytics.delete_application_output(
            ApplicationName=model["ApplicationName"], CurrentApplicationVersionId=version, OutputId=model["Id"])
