"""Kinesis Analytics' state in LocalStack's store style: one `KinesisAnalyticsStore` (BaseStore)
per account and region in the `kinesisanalytics_stores` AccountRegionBundle, holding the
applications by name and, per application name, the Kinesis checkpoints its runs resume from
(shard id -> last sequence number read). An application as the API describes it:
ApplicationDetail, its inputs and outputs, tags, version and status (AWS's values: READY,
STARTING, RUNNING, STOPPING, UPDATING, DELETING). Applications live in memory.

The bundle does not validate account ids or region names (`validate=False`): the lab answers
whatever account and region a caller's credentials name."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime

from localstack.services.stores import AccountRegionBundle, BaseStore, LocalAttribute

from lab_localstack.kinesisanalytics.kda_sql import Column, StreamDef
from lab_localstack.kinesisanalytics.sql_types import parse_type

READY, STARTING, RUNNING, STOPPING, UPDATING, DELETING = (
    "READY", "STARTING", "RUNNING", "STOPPING", "UPDATING", "DELETING")
ENGINE_TAG = "lab:engine"


def _now() -> datetime:
    return datetime.now(UTC)


def input_description(input_id: str, config: dict) -> dict:
    count = (config.get("InputParallelism") or {}).get("Count", 1)
    description = {
        "InputId": input_id,
        "NamePrefix": config["NamePrefix"],
        "InAppStreamNames": [f"{config['NamePrefix']}_{i:03d}" for i in range(1, count + 1)],
        "InputSchema": copy.deepcopy(config["InputSchema"]),
        "InputParallelism": {"Count": count},
        "InputStartingPositionConfiguration": {},
    }
    for kind in ("KinesisStreamsInput", "KinesisFirehoseInput"):
        if config.get(kind):
            description[f"{kind}Description"] = dict(config[kind])
    processor = (config.get("InputProcessingConfiguration") or {}).get("InputLambdaProcessor")
    if processor:
        description["InputProcessingConfigurationDescription"] = {"InputLambdaProcessorDescription": dict(processor)}
    return description


def output_description(output_id: str, config: dict) -> dict:
    description = {"OutputId": output_id, "Name": config["Name"],
                   "DestinationSchema": dict(config["DestinationSchema"])}
    for kind in ("KinesisStreamsOutput", "KinesisFirehoseOutput", "LambdaOutput"):
        if config.get(kind):
            description[f"{kind}Description"] = dict(config[kind])
    return description


@dataclass
class Application:
    account_id: str
    region: str
    name: str
    arn: str
    description: str = ""
    code: str = ""
    inputs: list[dict] = field(default_factory=list)
    outputs: list[dict] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    version: int = 1
    status: str = READY
    created: datetime = field(default_factory=_now)
    updated: datetime = field(default_factory=_now)
    next_id: int = 1
    runner: object | None = None

    def new_id(self) -> str:
        value = f"{self.next_id}.1"
        self.next_id += 1
        return value

    def bump(self) -> None:
        self.version += 1
        self.updated = _now()

    def summary(self) -> dict:
        return {"ApplicationName": self.name, "ApplicationARN": self.arn, "ApplicationStatus": self.status}

    def detail(self) -> dict:
        detail = {
            **self.summary(),
            "ApplicationDescription": self.description,
            "CreateTimestamp": self.created,
            "LastUpdateTimestamp": self.updated,
            "InputDescriptions": copy.deepcopy(self.inputs),
            "OutputDescriptions": copy.deepcopy(self.outputs),
            "ReferenceDataSourceDescriptions": [],
            "CloudWatchLoggingOptionDescriptions": [],
            "ApplicationCode": self.code,
            "ApplicationVersionId": self.version,
        }
        if not self.description:
            detail.pop("ApplicationDescription")
        return detail

    def input_streams(self) -> dict[str, StreamDef]:
        """The in-application input streams with their columns."""
        streams = {}
        for described in self.inputs:
            columns = tuple(Column(c["Name"], parse_type(c["SqlType"]))
                            for c in described["InputSchema"]["RecordColumns"])
            for name in described["InAppStreamNames"]:
                streams[name] = StreamDef(name, columns)
        return streams

    def engine_name(self, default: str) -> str:
        return self.tags.get(ENGINE_TAG, default).lower()


class KinesisAnalyticsStore(BaseStore):
    """One account's applications in one region."""

    applications: dict[str, Application] = LocalAttribute(default=dict)
    checkpoints: dict[str, dict[str, str]] = LocalAttribute(default=dict)   # application name -> shard -> seq


kinesisanalytics_stores: AccountRegionBundle[KinesisAnalyticsStore] = AccountRegionBundle(
    "kinesisanalytics", KinesisAnalyticsStore, validate=False)


def store_of(account: str, region: str) -> KinesisAnalyticsStore:
    return kinesisanalytics_stores[account][region]
