"""awsglue.transforms: the transform classes scripts call as `X.apply(frame=..., ...)` (and
`X(frame=...)`), each the DynamicFrame method of the same work. Others raise NotProvided."""
from __future__ import annotations

from pyspark.sql import functions as F

from awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection
from awsglue.missing import not_provided


class GlueTransform:
    """`apply` as a class method, and calling the class does the same, as AWS's transforms allow."""

    def __new__(cls, *args, **kwargs):
        return cls.apply(*args, **kwargs)

    @classmethod
    def apply(cls, *args, **kwargs):
        raise not_provided(f"awsglue.transforms.{cls.__name__}")

    @classmethod
    def name(cls) -> str:
        return cls.__name__


class ApplyMapping(GlueTransform):
    @classmethod
    def apply(cls, frame: DynamicFrame, mappings, case_sensitive: bool = False, transformation_ctx: str = "",
              **kwargs) -> DynamicFrame:
        return frame.apply_mapping(mappings, case_sensitive=case_sensitive, transformation_ctx=transformation_ctx)


class SelectFields(GlueTransform):
    @classmethod
    def apply(cls, frame: DynamicFrame, paths, transformation_ctx: str = "", **kwargs) -> DynamicFrame:
        return frame.select_fields(paths)


class DropFields(GlueTransform):
    @classmethod
    def apply(cls, frame: DynamicFrame, paths, transformation_ctx: str = "", **kwargs) -> DynamicFrame:
        return frame.drop_fields(paths)


class DropNullFields(GlueTransform):
    """Drops the fields whose every value is null (or an empty string: Glue treats "" as null here)."""

    @classmethod
    def apply(cls, frame: DynamicFrame, transformation_ctx: str = "", **kwargs) -> DynamicFrame:
        df = frame.toDF()
        counts = df.select([F.count(F.when(F.col(f"`{c}`").isNotNull() & (F.col(f"`{c}`").cast("string") != ""),
                                           1)).alias(c) for c in df.columns]).first()
        empty = [c for c in df.columns if counts is None or counts[c] == 0]
        return frame.drop_fields([f"`{c}`" for c in empty]) if empty else frame


class RenameField(GlueTransform):
    @classmethod
    def apply(cls, frame: DynamicFrame, old_name: str, new_name: str, transformation_ctx: str = "",
              **kwargs) -> DynamicFrame:
        return frame.rename_field(old_name, new_name)


class ResolveChoice(GlueTransform):
    @classmethod
    def apply(cls, frame: DynamicFrame, specs=None, choice: str = "", database=None, table_name=None,
              transformation_ctx: str = "", **kwargs) -> DynamicFrame:
        return frame.resolveChoice(specs=specs, choice=choice, database=database, table_name=table_name)


class Filter(GlueTransform):
    @classmethod
    def apply(cls, frame: DynamicFrame, f, transformation_ctx: str = "", **kwargs) -> DynamicFrame:
        return frame.filter(f)


class Map(GlueTransform):
    @classmethod
    def apply(cls, frame: DynamicFrame, f, transformation_ctx: str = "", **kwargs) -> DynamicFrame:
        return frame.map(f)


class Join(GlueTransform):
    @classmethod
    def apply(cls, frame1: DynamicFrame, frame2: DynamicFrame, keys1, keys2, transformation_ctx: str = "",
              **kwargs) -> DynamicFrame:
        keys1, keys2 = ([k] if isinstance(k, str) else list(k) for k in (keys1, keys2))
        return frame1.join(keys1, keys2, frame2)


class SelectFromCollection(GlueTransform):
    @classmethod
    def apply(cls, dfc: DynamicFrameCollection, key: str, transformation_ctx: str = "", **kwargs) -> DynamicFrame:
        return dfc.select(key)


class Relationalize(GlueTransform):
    pass


class SplitFields(GlueTransform):
    pass


class SplitRows(GlueTransform):
    pass


class Unbox(GlueTransform):
    pass


class Spigot(GlueTransform):
    pass


class ErrorsAsDynamicFrame(GlueTransform):
    pass


__all__ = [
    "ApplyMapping",
    "DropFields",
    "DropNullFields",
    "ErrorsAsDynamicFrame",
    "Filter",
    "GlueTransform",
    "Join",
    "Map",
    "Relationalize",
    "RenameField",
    "ResolveChoice",
    "SelectFields",
    "SelectFromCollection",
    "Spigot",
    "SplitFields",
    "SplitRows",
    "Unbox",
]
