"""The lab's Lambda: LocalStack 4.14's own Lambda provider with its functions kept across
restarts (PROVIDER_OVERRIDE_LAMBDA=lab).

  plugin.py     entry point `lambda:lab`
  provider.py   LabLambdaProvider: saves LocalStack's `lambda_stores` after every change,
                restores them (and starts the function versions) when the provider loads
"""
