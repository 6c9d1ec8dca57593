# A small lake: Kinesis -> Firehose (JSON to Parquet with the Glue table's schema) -> S3,
# catalogued by Glue (database, table, crawler) and queried by Athena (work group, named query).

resource "aws_s3_bucket" "lake" {
  bucket        = "${var.name}-lake"
  force_destroy = true
  tags          = local.tags
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["firehose.amazonaws.com", "glue.amazonaws.com", "lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "lake" {
  name               = "${var.name}-role"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = local.tags
}

resource "aws_kinesis_stream" "clicks" {
  name             = "${var.name}-clicks"
  shard_count      = 1
  retention_period = 24
  tags             = local.tags
}

resource "aws_glue_catalog_database" "lake" {
  name        = "${var.name}_db"
  description = "clickstream lake"
  tags        = local.tags
}

resource "aws_glue_catalog_table" "clicks" {
  name          = "clicks"
  database_name = aws_glue_catalog_database.lake.name
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    EXTERNAL       = "TRUE"
    classification = "parquet"
  }

  storage_descriptor {
    location      = "s3://${aws_s3_bucket.lake.bucket}/clicks/"
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      name                  = "parquet"
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
      parameters = {
        "serialization.format" = "1"
      }
    }

    columns {
      name = "host"
      type = "string"
    }
    columns {
      name = "request"
      type = "string"
    }
    columns {
      name    = "response"
      type    = "int"
      comment = "HTTP status"
    }
    columns {
      name = "bytes"
      type = "bigint"
    }
  }
}

resource "aws_glue_crawler" "lake" {
  name          = "${var.name}-crawler"
  database_name = aws_glue_catalog_database.lake.name
  role          = aws_iam_role.lake.arn
  tags          = local.tags

  s3_target {
    path = "s3://${aws_s3_bucket.lake.bucket}/raw/"
  }
}

resource "aws_athena_workgroup" "lake" {
  name          = "${var.name}-wg"
  force_destroy = true
  tags          = local.tags

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = false

    result_configuration {
      output_location = "s3://${aws_s3_bucket.lake.bucket}/athena/"
    }
  }
}

resource "aws_athena_named_query" "top_hosts" {
  name      = "top-hosts"
  workgroup = aws_athena_workgroup.lake.id
  database  = aws_glue_catalog_database.lake.name
  query     = "SELECT host, count(*) AS n FROM ${aws_glue_catalog_table.clicks.name} GROUP BY host ORDER BY n DESC LIMIT 10"
}

resource "aws_kinesis_firehose_delivery_stream" "parquet" {
  name        = "${var.name}-parquet"
  destination = "extended_s3"
  tags        = local.tags

  kinesis_source_configuration {
    kinesis_stream_arn = aws_kinesis_stream.clicks.arn
    role_arn           = aws_iam_role.lake.arn
  }

  extended_s3_configuration {
    role_arn            = aws_iam_role.lake.arn
    bucket_arn          = aws_s3_bucket.lake.arn
    prefix              = "clicks/"
    error_output_prefix = "errors/"
    buffering_size      = 64
    buffering_interval  = 60

    data_format_conversion_configuration {
      input_format_configuration {
        deserializer {
          open_x_json_ser_de {}
        }
      }

      output_format_configuration {
        serializer {
          parquet_ser_de {}
        }
      }

      schema_configuration {
        database_name = aws_glue_catalog_table.clicks.database_name
        table_name    = aws_glue_catalog_table.clicks.name
        role_arn      = aws_iam_role.lake.arn
      }
    }
  }
}
