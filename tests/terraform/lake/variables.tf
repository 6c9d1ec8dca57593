variable "endpoint" {
  description = "The lab's LocalStack, e.g. http://127.0.0.1:4566"
  type        = string
}

variable "name" {
  description = "Prefix of every resource's name"
  type        = string
  default     = "tflake"
}

variable "lambda_zip" {
  description = "The lab's ETL Lambda (build/apache_ETL.zip, `make lambda`)"
  type        = string
}

variable "opensearch_endpoint" {
  description = "The OpenSearch API the search stream delivers to, e.g. http://127.0.0.1:9200"
  type        = string
}

variable "tags" {
  description = "Tags of every resource that takes tags"
  type        = map(string)
  default = {
    project = "clickstream-lab"
    owner   = "terraform-test"
  }
}

locals {
  tags = var.tags
}
