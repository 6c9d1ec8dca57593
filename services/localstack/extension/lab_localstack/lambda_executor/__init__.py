"""Host-subprocess Lambda runtime executor for LocalStack without Docker."""
