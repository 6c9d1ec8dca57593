"""Prints, as JSON, what decides how a client talks to each named service in this Python's
botocore: the protocol(s), target prefix, signing name and every operation's HTTP method and
path, and every structure's member names. With `--models DIR`, from the models under DIR
(botocore's layout) instead of botocore's own. Run by tests/compat/test_models.py in the
scratch venvs and in LocalStack's venv; needs only botocore.

    python model_facts.py athena glue ... [--models DIR]
"""
from __future__ import annotations

import argparse
import json
import sys

import botocore
from botocore.loaders import Loader


def facts(model: dict) -> dict:
    meta = model["metadata"]
    return {
        "protocols": meta.get("protocols") or [meta["protocol"]],
        "targetPrefix": meta.get("targetPrefix"),
        "signingName": meta.get("signingName", meta["endpointPrefix"]),
        "endpointPrefix": meta["endpointPrefix"],
        "http": {name: [op["http"]["method"], op["http"]["requestUri"]] for name, op in model["operations"].items()},
        "members": {name: sorted(shape.get("members", {})) for name, shape in model["shapes"].items()
                    if shape["type"] == "structure"},
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("services", nargs="+")
    parser.add_argument("--models")
    args = parser.parse_args()
    loader = (Loader(extra_search_paths=[args.models], include_default_search_paths=False)
              if args.models else Loader())
    out = {"botocore": botocore.__version__,
           "services": {s: facts(loader.load_service_model(s, "service-2")) for s in args.services}}
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
