"""Entry point: at LocalStack's start (`localstack.hooks.on_infra_start`, before the gateway
serves), the newer models are loaded and `NewerProtocolRouter` joins LocalStack's
`preprocess_request` handlers, the extension point that runs before service detection (LocalStack's
own S3 provider adds its CORS pre-processing there the same way). Nothing of LocalStack is patched."""
import logging

from localstack.runtime import hooks

LOG = logging.getLogger(__name__)


@hooks.on_infra_start()
def route_newer_protocols() -> None:
    from localstack.aws.handlers import preprocess_request

    from lab_localstack.protocols.newer_models import newer_models
    from lab_localstack.protocols.router import NewerProtocolRouter

    router = NewerProtocolRouter(newer_models().values())
    preprocess_request.append(router)
    LOG.info("newer protocols answered for: %s", ", ".join(router.services) or "none")
