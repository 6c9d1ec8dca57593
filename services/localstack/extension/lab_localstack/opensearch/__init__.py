"""The lab's Amazon OpenSearch Service control plane: the `opensearch` and `es` APIs
(CreateDomain / CreateElasticsearchDomain and friends) answered over one store of domains,
each of which is the lab's own OpenSearch (LAB_OPENSEARCH_URL). LocalStack's own provider
downloads and starts an OpenSearch per domain; this one never does."""
