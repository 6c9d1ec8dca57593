"""UpdateApplication's InputUpdates and OutputUpdates applied to an application's current
descriptions: the new description, validated as a new input or output would be, without
changing the application (the provider commits them once everything is valid)."""
from __future__ import annotations

from lab_localstack.aws_api import KINESIS_ANALYTICS as KDA
from lab_localstack.kinesisanalytics import validation
from lab_localstack.kinesisanalytics.models import (
    Application,
    input_description,
    output_description,
)


def updated_input(app: Application, update: dict) -> dict:
    current = next((i for i in app.inputs if i["InputId"] == update["InputId"]), None)
    if current is None:
        raise KDA.error("ResourceNotFoundException", f"Input {update['InputId']} not found")
    config = {"NamePrefix": update.get("NamePrefixUpdate", current["NamePrefix"]),
              "InputSchema": current["InputSchema"], "InputParallelism": current["InputParallelism"]}
    if update.get("InputSchemaUpdate"):
        config["InputSchema"] = {**current["InputSchema"], **update["InputSchemaUpdate"]}
    if update.get("InputParallelismUpdate"):
        config["InputParallelism"] = {"Count": update["InputParallelismUpdate"]["CountUpdate"]}
    for kind in ("KinesisStreamsInput", "KinesisFirehoseInput"):
        source = update.get(f"{kind}Update") or current.get(f"{kind}Description")
        if source:
            config[kind] = {"ResourceARN": source.get("ResourceARNUpdate", source.get("ResourceARN")),
                            "RoleARN": source.get("RoleARNUpdate", source.get("RoleARN"))}
    processor = (update.get("InputProcessingConfigurationUpdate") or {}).get("InputLambdaProcessorUpdate")
    old = (current.get("InputProcessingConfigurationDescription") or {}).get("InputLambdaProcessorDescription")
    if processor or old:
        processor = processor or {}
        config["InputProcessingConfiguration"] = {"InputLambdaProcessor": {
            "ResourceARN": processor.get("ResourceARNUpdate", (old or {}).get("ResourceARN")),
            "RoleARN": processor.get("RoleARNUpdate", (old or {}).get("RoleARN"))}}
    validation.check_input(config)
    return input_description(current["InputId"], config)


def updated_output(app: Application, update: dict) -> dict:
    current = next((o for o in app.outputs if o["OutputId"] == update["OutputId"]), None)
    if current is None:
        raise KDA.error("ResourceNotFoundException", f"Output {update['OutputId']} not found")
    config = {"Name": update.get("NameUpdate", current["Name"]),
              "DestinationSchema": update.get("DestinationSchemaUpdate", current["DestinationSchema"])}
    for kind in validation.OUTPUT_KINDS:
        target = update.get(f"{kind}Update") or current.get(f"{kind}Description")
        if target:
            config[kind] = {"ResourceARN": target.get("ResourceARNUpdate", target.get("ResourceARN")),
                            "RoleARN": target.get("RoleARNUpdate", target.get("RoleARN"))}
            break
    validation.check_output(config)
    return output_description(current["OutputId"], config)


def replaced(described: list[dict], new: list[dict], key: str) -> list[dict]:
    """The descriptions with those of `new` in place of the ones with the same id."""
    by_id = {d[key]: d for d in new}
    return [by_id.get(d[key], d) for d in described]
