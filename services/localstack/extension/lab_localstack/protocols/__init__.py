"""Services whose protocol AWS changed after LocalStack 4.14.0's models: both protocols answered.

LocalStack 4.14.0 parses requests with botocore 1.42.54's service models and will not move (its
repository is archived). When AWS moves a service to another protocol (Athena went from `json`
to `rest-json` in botocore 1.44.18), SDKs released afterwards send only the new one, and
LocalStack cannot parse it. This package answers both, as AWS does for old and new SDKs:

- `models/<service>/<api-version>/service-2.json`: the current model, copied unchanged from a
  botocore wheel (source, licence and how to take a newer one in: `models/README.md`).
- `newer_models.py`: loads them with botocore's own loader and compares each with LocalStack's
  model; only protocols LocalStack's model lacks are routed to the newer one.
- `router.py`: a gateway handler that gives a request in such a protocol the newer model;
  LocalStack's model-driven parser and serializer (`create_parser`/`create_serializer`) and the
  service's provider do the rest. No operation is parsed by hand.
- `plugin.py`: the `localstack.hooks.on_infra_start` entry point that installs the handler in
  LocalStack's `preprocess_request` chain.

Operations only the newer model has reach the provider's dispatch table too
(`lab_localstack.unsupported` adds them), so an operation the lab does not implement answers the
service's 400, whichever protocol asked.

Choices and limits: requests are told apart by the SigV4 credential scope's service name and
LocalStack's own protocol detection (`json` needs an `application/x-amz-json-*` body, `rest-*`
accepts any); an unsigned request in the new protocol is not recognised. The newer model's
shapes must keep the member names LocalStack's model has (true of Athena's move: checked by
`tests/compat/test_models.py`), since the provider answers both with the same dictionaries.
"""
