"""getResolvedOptions: the job's arguments by name, as AWS's awsglue.utils gives them.

AWS's library parses `sys.argv` with argparse, so the lab does too, with the same rules:
- each option asked for is required (missing ones: GlueArgumentError, argparse's message);
- the reserved options of a Glue run are always in the result, None when not passed:
  `job_bookmark_option` (default `job-bookmark-disable`; the old `--continuation-option`
  translated), `job_bookmark_from`/`job_bookmark_to`, `JOB_ID`, `JOB_RUN_ID`,
  `SECURITY_CONFIGURATION`, `encryption_type`, and `TempDir` with its alias `RedshiftTempDir`;
- asking for a reserved option is a RuntimeError ("Using reserved arguments ..."); `TempDir`
  and `RedshiftTempDir` may be asked for and are then optional;
- keys are argparse's destinations: dashes become underscores (`--my-opt` -> `my_opt`);
- arguments nobody asked for are ignored.
"""
from __future__ import annotations

import argparse

from awsglue.job import Job

_global_args: dict = {}
TEMP_DIRS = ("TempDir", "RedshiftTempDir")


class GlueArgumentError(Exception):
    pass


class GlueArgumentParser(argparse.ArgumentParser):
    """Raises instead of printing usage and exiting, as AWS's parser does."""

    def error(self, message: str):
        raise GlueArgumentError(message)


def _refuse_reserved(options: list[str]) -> None:
    """AWS names the first two without their dashes and the others with them."""
    for flag in (Job.continuation_options()[0], Job.job_bookmark_options()[0]):
        if flag[2:] in options:
            raise RuntimeError("Using reserved arguments " + flag[2:])
    for flag in (*Job.job_bookmark_range_options(), *Job.id_params()[1:], Job.encryption_type_options()[0]):
        if flag[2:] in options:
            raise RuntimeError("Using reserved arguments " + flag)


def _bookmark_option(parsed: dict) -> str:
    """--job-bookmark-option wins; else the old --continuation-option, translated; else disabled."""
    continuation = parsed.pop("continuation_option", None)
    if parsed.get("job_bookmark_option") is not None:
        return parsed["job_bookmark_option"]
    if continuation is None:
        return "job-bookmark-disable"
    return Job.job_bookmark_options()[Job.continuation_options().index(continuation)]


def _check_bookmark_range(parsed: dict) -> None:
    """A paused bookmark takes both ends of its range or neither; other options take none."""
    absent = [flag for flag in Job.job_bookmark_range_options()
              if parsed.get(flag[2:].replace("-", "_")) is None]
    if parsed["job_bookmark_option"] == "job-bookmark-pause":
        if len(absent) == 1:
            raise RuntimeError("Missing option or value for " + absent[0])
    elif not absent:
        raise RuntimeError("Invalid option(s)" + " ".join(Job.job_bookmark_range_options()))


def getResolvedOptions(args: list[str], options: list[str]) -> dict:
    _refuse_reserved(options)
    parser = GlueArgumentParser()
    for choices in (Job.job_bookmark_options(), Job.continuation_options(), Job.encryption_type_options()):
        parser.add_argument(choices[0], choices=choices[1:], required=False)
    for flag in (*Job.job_bookmark_range_options(), *Job.id_params()[1:], *(f"--{t}" for t in TEMP_DIRS)):
        parser.add_argument(flag, required=False)
    for option in options:
        if option not in TEMP_DIRS:
            parser.add_argument("--" + option, required=True)
    parsed = vars(parser.parse_known_args(list(args[1:]))[0])
    if parsed.get("TempDir") is not None:
        parsed["RedshiftTempDir"] = parsed["TempDir"]
    elif parsed.get("RedshiftTempDir") is not None:
        parsed["TempDir"] = parsed["RedshiftTempDir"]
    parsed["job_bookmark_option"] = _bookmark_option(parsed)
    _check_bookmark_range(parsed)
    _global_args.update(parsed)
    return parsed
