"""CloudFormation resource providers for the lab's services (LocalStack 4.14 community
has none for Glue, Athena or Kinesis Analytics and deploys them as placeholders).

Registered as `localstack.cloudformation.resource_providers` entry points, so
LocalStack's CloudFormation engine loads them like its own; each provider calls the
lab's service through LocalStack's internal AWS clients.

Where things are:
  plugins.py             the entry points, one plugin per resource type
  base.py                the common frame: service refusals -> FAILED with AWS-style reasons
  glue_database.py       AWS::Glue::Database      (Ref: database name)
  glue_table.py          AWS::Glue::Table         (Ref: table name)
  glue_crawler.py        AWS::Glue::Crawler       (Ref: crawler name)
  glue_job.py            AWS::Glue::Job           (Ref: job name)
  glue_partition.py      AWS::Glue::Partition     (Ref: partition Id)
  athena_workgroup.py    AWS::Athena::WorkGroup   (Ref: name; GetAtt CreationTime, EffectiveEngineVersion)
  athena_named_query.py  AWS::Athena::NamedQuery  (Ref/GetAtt NamedQueryId)
  kinesisanalytics_application.py  AWS::KinesisAnalytics::Application (Ref: name)
  kinesisanalytics_output.py       AWS::KinesisAnalytics::ApplicationOutput (Ref: OutputId)
  rollback.py            provider `cloudformation:lab`: LocalStack's CloudFormation plus
                         AWS's rollback of a failed create
  support_catalog.py     which types can be deployed, from what is installed (no call home),
                         for CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES=0
"""
