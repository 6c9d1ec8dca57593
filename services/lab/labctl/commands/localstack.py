"""`make native-localstack`: the lab's LocalStack alone, natively (start or stop)."""
from __future__ import annotations

import argparse

from labctl import localstack_native
from labctl import settings as lab


def run(settings: lab.LabSettings, args: argparse.Namespace) -> int:
    config = localstack_native.NativeLocalStackConfig(
        venv=settings.localstack_venv, state_dir=settings.state_dir / "localstack",
        port=settings.localstack_port, bind_address=settings.bind_address)
    pid_file = settings.state_dir / "localstack.pid"
    if args.action == "start":
        if localstack_native.is_ready(config.url):
            print(f"LocalStack already answers on {config.url}")
            return 0
        process = localstack_native.start(config, settings.state_dir / "logs" / "localstack.log")
        pid_file.write_text(str(process.pid))
        localstack_native.wait_ready(config.url, process)
        print(f"native LocalStack ready on {config.url} (pid {process.pid}, log .lab/logs/localstack.log)")
        return 0
    print("stopped LocalStack" if localstack_native.stop_standalone(settings.state_dir) else
          "no LocalStack started by `make native-localstack`")
    return 0
