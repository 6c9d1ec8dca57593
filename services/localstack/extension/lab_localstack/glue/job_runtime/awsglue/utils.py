"""getResolvedOptions: the job's arguments by name, as AWS's awsglue.utils gives them.

Arguments arrive as `--NAME value` (or `--NAME=value`); the result maps NAME to its value for
each option asked for. An option asked for and not given is an error naming it, as argparse
words it in AWS's implementation. `job-bookmark-option` style names keep their dashes.
"""
from __future__ import annotations

import sys


class GlueArgumentError(Exception):
    pass


def _parse(argv: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    i = 0
    while i < len(argv):
        token = argv[i]
        if token.startswith("--"):
            name, eq, value = token[2:].partition("=")
            if eq:
                out[name] = value
            elif i + 1 < len(argv) and not (argv[i + 1].startswith("--") and argv[i + 1][2:3].isalpha()):
                out[name] = argv[i + 1]
                i += 1
            else:
                out[name] = ""
        i += 1
    return out


def getResolvedOptions(args: list[str], options: list[str]) -> dict[str, str]:
    given = _parse(list(args[1:]))
    missing = [o for o in options if o not in given]
    if missing:
        message = "the following arguments are required: " + ", ".join(f"--{m}" for m in missing)
        print(f"usage: {args[0] if args else sys.argv[0]}\nerror: {message}", file=sys.stderr)
        raise GlueArgumentError(message)
    return {o: given[o] for o in options}
