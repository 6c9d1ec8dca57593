"""LocalStack's executor endpoint, told the runtime's port by the runtime itself.

The host runtime binds port 0 and announces the port it got in the body of its
`status/<id>/ready` call, so two environments started at the same moment can
never race for a port picked in advance.
"""

from __future__ import annotations

import json
import logging

from localstack.services.lambda_.invocation.executor_endpoint import ExecutorEndpoint

LOG = logging.getLogger(__name__)


class HostExecutorEndpoint(ExecutorEndpoint):
    """ExecutorEndpoint whose container port comes from the ready call."""

    def status_ready(self, request, executor_id: str):
        try:
            self.container_port = int(json.loads(request.data)["port"])
        except (ValueError, KeyError, TypeError):
            LOG.error(
                "Runtime %s reported ready without its port: %r", executor_id, request.data[:200]
            )
        return super().status_ready(request, executor_id)
