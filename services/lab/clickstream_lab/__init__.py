"""Clickstream Lab's Python API: start the lab (or attach to one) from a team's own tests.

    from clickstream_lab import Lab, LabOptions, FirehoseSettings

    with Lab.start(LabOptions(etl="etl/", handler="team.lambda_handler")) as lab:
        lab.generate(50)
        assert lab.wait_accounted(50).indexed == 50

The pytest plugin (`clickstream_lab.pytest_plugin`, installed with the package) gives the same
lab as the `clickstream_lab` fixture. README.md, "Testing your pipeline against the lab".
"""
from labctl.readiness import Accounting

from clickstream_lab.lab import Lab
from clickstream_lab.options import FirehoseSettings, LabOptions, LabOptionsError

__all__ = ["Accounting", "FirehoseSettings", "Lab", "LabOptions", "LabOptionsError"]
