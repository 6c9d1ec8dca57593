"""Entry points: one CloudFormation resource-provider plugin per resource type the lab
adds to LocalStack's CloudFormation (namespace `localstack.cloudformation.resource_providers`,
registered in the extension's pyproject.toml; each names its type and loads its provider
class lazily, as LocalStack's own `*_plugin.py` modules do), and the provider
`cloudformation:lab` (LocalStack's CloudFormation plus rollback, rollback.py)."""
from __future__ import annotations

from localstack.services.cloudformation.resource_provider import (
    CloudFormationResourceProviderPlugin,
    ResourceProvider,
)
from localstack.services.plugins import Service, aws_provider


class _LabPlugin(CloudFormationResourceProviderPlugin):
    module = ""
    provider_class = ""

    def __init__(self) -> None:
        self.factory: type[ResourceProvider] | None = None

    def load(self) -> None:
        import importlib

        self.factory = getattr(importlib.import_module(f"lab_localstack.cloudformation.{self.module}"),
                               self.provider_class)


class GlueDatabasePlugin(_LabPlugin):
    name = "AWS::Glue::Database"
    module, provider_class = "glue_database", "GlueDatabaseProvider"


class GlueTablePlugin(_LabPlugin):
    name = "AWS::Glue::Table"
    module, provider_class = "glue_table", "GlueTableProvider"


class GlueCrawlerPlugin(_LabPlugin):
    name = "AWS::Glue::Crawler"
    module, provider_class = "glue_crawler", "GlueCrawlerProvider"


class GlueJobPlugin(_LabPlugin):
    name = "AWS::Glue::Job"
    module, provider_class = "glue_job", "GlueJobProvider"


class GluePartitionPlugin(_LabPlugin):
    name = "AWS::Glue::Partition"
    module, provider_class = "glue_partition", "GluePartitionProvider"


class AthenaWorkGroupPlugin(_LabPlugin):
    name = "AWS::Athena::WorkGroup"
    module, provider_class = "athena_workgroup", "AthenaWorkGroupProvider"


class AthenaNamedQueryPlugin(_LabPlugin):
    name = "AWS::Athena::NamedQuery"
    module, provider_class = "athena_named_query", "AthenaNamedQueryProvider"


@aws_provider(api="cloudformation", name="lab")
def cloudformation_lab() -> Service:
    """`cloudformation:lab`: LocalStack's CloudFormation with AWS's rollback of a failed create."""
    from lab_localstack.cloudformation.rollback import LabCloudFormationProvider

    return Service.for_provider(LabCloudFormationProvider())


class KinesisAnalyticsApplicationPlugin(_LabPlugin):
    name = "AWS::KinesisAnalytics::Application"
    module, provider_class = "kinesisanalytics_application", "KinesisAnalyticsApplicationProvider"


class KinesisAnalyticsOutputPlugin(_LabPlugin):
    name = "AWS::KinesisAnalytics::ApplicationOutput"
    module, provider_class = "kinesisanalytics_output", "KinesisAnalyticsOutputProvider"
