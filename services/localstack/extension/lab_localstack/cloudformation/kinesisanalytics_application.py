"""AWS::KinesisAnalytics::Application (Kinesis Data Analytics for SQL) through the lab's
Kinesis Analytics.

Properties (AWS's resource reference): ApplicationName, ApplicationDescription,
ApplicationCode, Inputs (NamePrefix, InputSchema, KinesisStreamsInput |
KinesisFirehoseInput, InputParallelism, InputProcessingConfiguration). Ref returns the
application name; no Fn::GetAtt attributes. ApplicationName and Inputs are create-only
here (lab's choice: a new input replaces the application; AWS updates inputs in place);
a new ApplicationCode is applied with UpdateApplication. The application is created,
not started, as on AWS. Outputs are AWS::KinesisAnalytics::ApplicationOutput resources.
"""
from __future__ import annotations

from localstack.services.cloudformation.resource_provider import ResourceRequest

from lab_localstack.cloudformation.base import LabResourceProvider, default_name, schema

TYPE = "AWS::KinesisAnalytics::Application"


class KinesisAnalyticsApplicationProvider(LabResourceProvider):
    TYPE = TYPE
    SERVICE = "KinesisAnalytics"
    SCHEMA = schema(TYPE, primary=["ApplicationName"], create_only=["ApplicationName", "Inputs"])

    def _create(self, request: ResourceRequest) -> dict:
        model = request.desired_state
        name = model.get("ApplicationName") or default_name(request)
        given = {key: model[key] for key in ("ApplicationDescription", "ApplicationCode", "Inputs") if model.get(key)}
        request.aws_client_factory.kinesisanalytics.create_application(ApplicationName=name, **given)
        return {**model, "ApplicationName": name}

    def _read(self, request: ResourceRequest) -> dict:
        model = request.desired_state
        request.aws_client_factory.kinesisanalytics.describe_application(ApplicationName=model["ApplicationName"])
        return model

    def _update(self, request: ResourceRequest) -> dict:
        model, before = request.desired_state, request.previous_state or {}
        kda = request.aws_client_factory.kinesisanalytics
        name = before["ApplicationName"]
        if model.get("ApplicationCode", "") != before.get("ApplicationCode", ""):
            version = kda.describe_application(ApplicationName=name)["ApplicationDetail"]["ApplicationVersionId"]
            kda.update_application(ApplicationName=name, CurrentApplicationVersionId=version,
                                   ApplicationUpdate={"ApplicationCodeUpdate": model.get("ApplicationCode", "")})
        return {**model, "ApplicationName": name}

    def _delete(self, request: ResourceRequest) -> None:
        model = request.previous_state or request.desired_state
        kda = request.aws_client_factory.kinesisanalytics
        detail = kda.describe_application(ApplicationName=model["ApplicationName"])["ApplicationDetail"]
        kda.delete_application(ApplicationName=model["ApplicationName"], CreateTimestamp=detail["CreateTimestamp"])
