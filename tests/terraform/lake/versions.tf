# The AWS provider pointed at the lab's LocalStack: every endpoint is var.endpoint
# (127.0.0.1), fake keys, no credential or account look-ups against AWS.
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    athena   = var.endpoint
    firehose = var.endpoint
    glue     = var.endpoint
    iam      = var.endpoint
    kinesis  = var.endpoint
    lambda   = var.endpoint
    s3       = var.endpoint
    sts      = var.endpoint
  }
}
