output "bucket" {
  value = aws_s3_bucket.lake.bucket
}

output "role_arn" {
  value = aws_iam_role.lake.arn
}

output "glue_database_arn" {
  value = aws_glue_catalog_database.lake.arn
}

output "glue_crawler_arn" {
  value = aws_glue_crawler.lake.arn
}

output "athena_workgroup_arn" {
  value = aws_athena_workgroup.lake.arn
}

output "named_query_id" {
  value = aws_athena_named_query.top_hosts.id
}

output "lambda_arn" {
  value = aws_lambda_function.etl.arn
}
