"""Entry point: registers the host executor as `host` (LAMBDA_RUNTIME_EXECUTOR=host)."""

from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin


class HostRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    name = "host"

    def load(self, *args, **kwargs):
        from lab_localstack.lambda_executor.executor import HostRuntimeExecutor

        return HostRuntimeExecutor
