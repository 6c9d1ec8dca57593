"""The lab's S3: LocalStack 4.14's own S3 provider with objects and metadata on disk
(PROVIDER_OVERRIDE_S3=lab), so the lake, the Firehose backup and what users put survive a
restart or a crash. README.md beside this file says what is synced and when.

  plugin.py       entry point `s3:lab`
  provider.py     LabS3Provider (LocalStack's S3Provider with the disk store), the dispatch
                  table that journals each changing operation before it answers
  disk_store.py   DiskS3ObjectStore: LocalStack's S3ObjectStore interface on files
  persistence.py  the metadata records (bucket, key, gone), replay and compaction
  journal.py      the append-only, CRC-framed, fsync'd journal file
"""
