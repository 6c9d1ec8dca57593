"""DynamicFrame over a Spark DataFrame: fromDF, toDF, count, schema, show, printSchema and the
transforms scripts call on it (apply_mapping, select_fields, drop_fields, rename_field,
resolveChoice, filter, map, join, repartition, coalesce).

A Spark DataFrame has one type per column, so there are no choice types to resolve: a
ResolveChoice `cast:<type>` or `project:<type>` casts the column, `make_cols`,
`make_struct` and `match_catalog` keep it as it is. Field paths use Glue's dots for nested
fields; a name that itself holds a dot is written in backticks, as in Glue.
"""
from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F
from pyspark.sql import types as T

from awsglue.missing import Strict, not_provided

_TYPES = {
    "string": T.StringType(), "varchar": T.StringType(), "char": T.StringType(),
    "int": T.IntegerType(), "integer": T.IntegerType(), "long": T.LongType(), "bigint": T.LongType(),
    "short": T.ShortType(), "smallint": T.ShortType(), "byte": T.ByteType(), "tinyint": T.ByteType(),
    "double": T.DoubleType(), "float": T.FloatType(), "boolean": T.BooleanType(), "bool": T.BooleanType(),
    "timestamp": T.TimestampType(), "date": T.DateType(), "binary": T.BinaryType(),
}


def spark_type(name: str) -> T.DataType:
    """A Glue/Hive type name as a Spark type (decimal(p,s) included)."""
    key = name.strip().lower()
    if key in _TYPES:
        return _TYPES[key]
    if key.startswith("decimal"):
        inner = key[len("decimal"):].strip("() ")
        precision, _, scale = inner.partition(",")
        return T.DecimalType(int(precision or 10), int(scale or 0))
    try:
        return T._parse_datatype_string(key)
    except Exception as exc:
        raise not_provided(f"Glue type '{name}'") from exc


def column(path: str):
    """A Glue field path (dots for nesting, backticks around names with dots) as a Column."""
    return F.col(path)


def _leaf(path: str) -> str:
    return path.strip("`").split(".")[-1] if "`" not in path else path.strip("`")


class DynamicFrame(Strict):
    """A Glue DynamicFrame holding a Spark DataFrame."""

    def __init__(self, df: DataFrame, glue_ctx=None, name: str = ""):
        self._df = df
        self.glue_ctx = glue_ctx
        self.name = name

    @classmethod
    def fromDF(cls, dataframe: DataFrame, glue_ctx, name: str) -> DynamicFrame:
        return cls(dataframe, glue_ctx, name)

    def toDF(self, options: list | None = None) -> DataFrame:
        return self._df

    def count(self) -> int:
        return self._df.count()

    def schema(self) -> T.StructType:
        return self._df.schema

    def printSchema(self) -> None:
        self._df.printSchema()

    def show(self, num_rows: int = 20) -> None:
        self._df.show(num_rows, truncate=False)

    def _new(self, df: DataFrame, name: str = "") -> DynamicFrame:
        return DynamicFrame(df, self.glue_ctx, name or self.name)

    def apply_mapping(self, mappings: list[tuple], case_sensitive: bool = False, transformation_ctx: str = "",
                      **_) -> DynamicFrame:
        columns = []
        fields = {f.name.lower(): f.name for f in self._df.schema.fields}
        for mapping in mappings:
            if len(mapping) != 4:
                raise ValueError(f"ApplyMapping: a mapping is (source path, source type, target path, target type), "
                                 f"got {mapping!r}")
            source, _source_type, target, target_type = mapping
            top = source.split(".")[0].strip("`")
            if top.lower() not in fields:
                continue   # Glue leaves out a field the records do not have
            if not case_sensitive and "." not in source and "`" not in source:
                source = fields[source.lower()]
            columns.append(column(source).cast(spark_type(target_type)).alias(target.strip("`")))
        return self._new(self._df.select(*columns))

    def select_fields(self, paths: list[str], transformation_ctx: str = "", **_) -> DynamicFrame:
        return self._new(self._df.select(*[column(p).alias(_leaf(p)) for p in paths]))

    def drop_fields(self, paths: list[str], transformation_ctx: str = "", **_) -> DynamicFrame:
        return self._new(self._df.drop(*[p.strip("`") for p in paths]))

    def rename_field(self, oldName: str, newName: str, transformation_ctx: str = "", **_) -> DynamicFrame:
        return self._new(self._df.withColumnRenamed(oldName.strip("`"), newName.strip("`")))

    def resolveChoice(self, specs: list[tuple] | None = None, choice: str = "", database=None,
                      table_name=None, transformation_ctx: str = "", **_) -> DynamicFrame:
        df = self._df
        actions = list(specs or [])
        if choice:
            actions += [(f.name, choice) for f in df.schema.fields]
        for path, action in actions:
            kind, _, type_name = action.partition(":")
            if kind in ("cast", "project"):
                df = df.withColumn(path.strip("`"), column(path).cast(spark_type(type_name)))
            elif kind not in ("make_cols", "make_struct", "match_catalog"):
                raise not_provided(f"ResolveChoice action '{action}'")
        return self._new(df)

    def filter(self, f: Callable[[dict], bool], transformation_ctx: str = "", **_) -> DynamicFrame:
        schema = self._df.schema
        rdd = self._df.rdd.filter(lambda row: bool(f(row.asDict(recursive=True))))
        return self._new(self._df.sparkSession.createDataFrame(rdd, schema))

    def map(self, f: Callable[[dict], dict], transformation_ctx: str = "", **_) -> DynamicFrame:
        rdd = self._df.rdd.map(lambda row: Row(**f(row.asDict(recursive=True))))
        if rdd.isEmpty():
            return self._new(self._df.limit(0))
        return self._new(self._df.sparkSession.createDataFrame(rdd, samplingRatio=1.0))

    def join(self, paths1: list[str], paths2: list[str], frame2: DynamicFrame, transformation_ctx: str = "",
             **_) -> DynamicFrame:
        left, right = self._df, frame2.toDF()
        condition = [left[a.strip("`")] == right[b.strip("`")] for a, b in zip(paths1, paths2)]
        return self._new(left.join(right, condition, "inner"))

    def repartition(self, num_partitions: int, **_) -> DynamicFrame:
        return self._new(self._df.repartition(num_partitions))

    def coalesce(self, num_partitions: int, **_) -> DynamicFrame:
        return self._new(self._df.coalesce(num_partitions))

    def getNumPartitions(self) -> int:
        return self._df.rdd.getNumPartitions()


class DynamicFrameCollection(Strict):
    """Named DynamicFrames (what SplitFields and custom transforms return)."""

    def __init__(self, dynamic_frames: dict[str, DynamicFrame], glue_ctx=None):
        self._frames = dict(dynamic_frames)
        self.glue_ctx = glue_ctx

    def keys(self):
        return self._frames.keys()

    def values(self):
        return self._frames.values()

    def select(self, key: str, transformation_ctx: str = "") -> DynamicFrame:
        return self._frames[key]

    def __getitem__(self, key: str) -> DynamicFrame:
        return self._frames[key]

    def __len__(self) -> int:
        return len(self._frames)
