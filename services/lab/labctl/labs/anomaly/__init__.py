"""The anomaly sibling lab (`make anomaly-lab`, services/anomaly_lab/README.md): a Glue streaming
job, two KDGs, a crawler and Athena finding the abnormal client (lab)."""
