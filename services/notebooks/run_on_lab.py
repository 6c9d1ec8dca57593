"""`make notebooks`: runs the CloudWatch lab's notebooks on the running lab.

Reads the lab's settings (labctl.settings: LocalStack's URL, LAB_GEOIP_DATABASE), installs the
GeoIP database if needed (DB-IP's city files, or the user's GeoLite2 City file), and starts the
notebook runner in the Spark venv (.venv-spark) with the runner package on its path:

    .venv-spark/bin/python -m notebook_runner run --notebooks services/notebooks/cloudwatch_lab
        --mount /mnt/cloudwatch-kafka-lab=s3://cloudwatch-kafka-lab/ --s3-endpoint <LocalStack>
        --geoip-database <mmdb> ... --out build/cloudwatch-lab/report

Run with the project venv: `.venv/bin/python services/notebooks/run_on_lab.py [--out DIR]`.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SINK_BUCKET = "cloudwatch-kafka-lab"
MOUNT_POINT = "/mnt/cloudwatch-kafka-lab"


def command(spark_python: Path, endpoint: str, geoip_files: list[Path], out: Path,
            notebooks: Path = HERE / "cloudwatch_lab", keep_going: bool = False) -> list[str]:
    cmd = [str(spark_python), "-m", "notebook_runner", "run", "--notebooks", str(notebooks),
           "--mount", f"{MOUNT_POINT}=s3://{SINK_BUCKET}/", "--s3-endpoint", endpoint, "--out", str(out)]
    for path in geoip_files:
        cmd += ["--geoip-database", str(path)]
    return cmd + (["--continue"] if keep_going else [])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=REPO / "build" / "cloudwatch-lab" / "report")
    ap.add_argument("--spark-python", type=Path, default=REPO / ".venv-spark" / "bin" / "python")
    ap.add_argument("--notebooks", type=Path, default=HERE / "cloudwatch_lab",
                    help="a folder of notebooks, run in name order (default: the lab's own)")
    ap.add_argument("--continue", dest="keep_going", action="store_true",
                    help="go on after a failing cell instead of stopping")
    args = ap.parse_args(argv)
    if not args.notebooks.is_dir():
        print(f"NOTEBOOKS={args.notebooks}: not a folder", file=sys.stderr)
        return 2
    from labctl import geoip
    from labctl import settings as lab

    settings = lab.load()
    if not settings.geoip_enabled:
        print("the notebooks' country table needs a GeoIP database: unset LAB_GEOIP_DATABASE=off", file=sys.stderr)
        return 2
    if not args.spark_python.exists():
        print(f"no Spark venv at {args.spark_python}: run `make spark-venv`", file=sys.stderr)
        return 2
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYSPARK_", "SPARK_"))}
    env["PYTHONPATH"] = str(HERE)
    cmd = command(args.spark_python, settings.localstack_url, geoip.database_files(settings), args.out,
                  args.notebooks.resolve(), args.keep_going)
    os.execve(cmd[0], cmd, env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
