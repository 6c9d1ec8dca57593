"""Which CloudFormation resource types this LocalStack can deploy, answered from what is
installed, without calling home.

With CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES=0 (the lab's setting: a type nobody can
create fails the stack instead of passing as a placeholder) LocalStack 4.14's
CloudFormation checks every change set against a "catalog" plugin. Its community
catalog downloads the list of supported types from api.localstack.cloud; offline it
falls back to a catalog that knows nothing, and then every resource type, S3 buckets
included, counts as unsupported. The lab's catalog answers from the resource-provider
plugins installed (LocalStack's own and the lab's `lab_localstack.cloudformation`):
a type with a provider is AVAILABLE, any other is NOT_SUPPORTED, so the stack fails
with "Unsupported resources detected: Sorry, the AWS::X::Y resource (from the x
service) is not currently supported by LocalStack."

LocalStack picks the catalog plugin named `aws-catalog-remote-state-with-license` when
one is installed (else it downloads), so the lab's plugin has that name; nothing of
the licensed edition is involved.
"""
from __future__ import annotations

import logging

from localstack.utils.catalog.catalog import (
    AwsServicesSupportStatus,
    CatalogPlugin,
    CfnResourceSupportStatus,
)
from localstack.utils.catalog.common import (
    CloudFormationResourcesSupportAtRuntime,
    CloudFormationResourcesSupportInLatest,
)

LOG = logging.getLogger(__name__)
CUSTOM_RESOURCE = "AWS::CloudFormation::CustomResource"


class LabCatalogPlugin(CatalogPlugin):
    name = "aws-catalog-remote-state-with-license"

    def __init__(self) -> None:
        self._installed: set[str] | None = None

    def installed_types(self) -> set[str]:
        if self._installed is None:
            self._installed = self._get_cfn_resources_available_at_runtime()
            LOG.debug("CloudFormation resource types with a provider: %d", len(self._installed))
        return self._installed

    def get_aws_service_status(self, service_name: str,
                               operation_name: str | None = None) -> AwsServicesSupportStatus | None:
        return None   # as LocalStack's offline catalog: no opinion on services

    def get_cloudformation_resource_status(self, resource_name: str, service_name: str,
                                           is_pro_resource: bool = False) -> CfnResourceSupportStatus:
        if resource_name.startswith("Custom::"):
            resource_name = CUSTOM_RESOURCE
        if resource_name in self.installed_types():
            return CloudFormationResourcesSupportAtRuntime.AVAILABLE
        return CloudFormationResourcesSupportInLatest.NOT_SUPPORTED
