"""Entry points: the lab's domains as providers `opensearch:lab` and `es:lab`, picked by
LocalStack when PROVIDER_OVERRIDE_OPENSEARCH=lab and PROVIDER_OVERRIDE_ES=lab are set.
Operations the lab does not implement answer DisabledOperationException (AWS's error for
"an operation that is not supported"), not 501."""
from localstack.services.plugins import Service, aws_provider


@aws_provider(api="opensearch", name="lab")
def opensearch_lab() -> Service:
    from lab_localstack.opensearch.provider import LabOpensearchProvider
    from lab_localstack.unsupported import unsupported_operations

    return Service.for_provider(LabOpensearchProvider(),
                                dispatch_table_factory=unsupported_operations("DisabledOperationException"))


@aws_provider(api="es", name="lab")
def es_lab() -> Service:
    from lab_localstack.opensearch.provider import LabEsProvider
    from lab_localstack.unsupported import unsupported_operations

    return Service.for_provider(LabEsProvider(),
                                dispatch_table_factory=unsupported_operations("DisabledOperationException"))
