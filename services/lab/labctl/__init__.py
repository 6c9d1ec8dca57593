"""Lab control: runs the Clickstream Lab (compose or native), provisions its AWS
resources in LocalStack, and reports its status. Entry point: `python -m labctl`."""
