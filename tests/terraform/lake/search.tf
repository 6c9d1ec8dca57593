# The workshop's webserver_stream: Direct PUT -> the lab's ETL Lambda -> OpenSearch,
# every document backed up to S3.

resource "aws_lambda_function" "etl" {
  function_name    = "${var.name}-apache_ETL"
  role             = aws_iam_role.lake.arn
  runtime          = "python3.13"
  handler          = "etl.handler.lambda_handler"
  filename         = var.lambda_zip
  source_code_hash = filebase64sha256(var.lambda_zip)
  timeout          = 60
  tags             = local.tags
}

resource "aws_kinesis_firehose_delivery_stream" "search" {
  name        = "${var.name}-webserver"
  destination = "opensearch"
  tags        = local.tags

  opensearch_configuration {
    cluster_endpoint      = var.opensearch_endpoint
    index_name            = "apache"
    index_rotation_period = "NoRotation"
    role_arn              = aws_iam_role.lake.arn
    buffering_interval    = 60
    buffering_size        = 1
    retry_duration        = 60
    s3_backup_mode        = "AllDocuments"

    s3_configuration {
      role_arn   = aws_iam_role.lake.arn
      bucket_arn = aws_s3_bucket.lake.arn
      prefix     = "apache_"
    }

    processing_configuration {
      enabled = true

      processors {
        type = "Lambda"

        parameters {
          parameter_name  = "LambdaArn"
          parameter_value = "${aws_lambda_function.etl.arn}:$LATEST"
        }
      }
    }
  }
}
