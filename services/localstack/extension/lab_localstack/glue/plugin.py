"""Entry point: the lab's Glue Data Catalog and crawlers as provider `glue:lab`.

LocalStack 4.14 community has no Glue provider; this one is selected with
PROVIDER_OVERRIDE_GLUE=lab (and `glue` in SERVICES).
"""
from localstack.services.plugins import Service, aws_provider


@aws_provider(api="glue", name="lab")
def glue_lab() -> Service:
    from lab_localstack.glue.provider import LabGlueProvider
    from lab_localstack.unsupported import unsupported_operations

    # operations the lab does not implement answer OperationNotSupportedException (400), not 501
    return Service.for_provider(LabGlueProvider(),
                                dispatch_table_factory=unsupported_operations("OperationNotSupportedException"))
