"""The Parquet sibling lab (`make lake-lab`, services/lake_lab/README.md): its stack deployed
into the running lab (lab)."""
