"""Entry point: LocalStack's Lambda with functions kept across restarts, as provider
`lambda:lab` (PROVIDER_OVERRIDE_LAMBDA=lab)."""
from localstack.services.plugins import Service, aws_provider


@aws_provider(api="lambda", name="lab")
def lambda_lab() -> Service:
    from lab_localstack.lambda_.provider import LabLambdaProvider, dispatch_table

    return Service.for_provider(LabLambdaProvider(), dispatch_table_factory=dispatch_table)
