"""The lab's AWS Glue provider for LocalStack 4.14.0 (whose community edition has none).

Selected with PROVIDER_OVERRIDE_GLUE=lab (entry point `glue:lab`) and `glue` in SERVICES.

Where things are:
  plugin.py          entry point
  provider.py        the provider class: the mixins below over one store
  catalog_api.py     databases and tables (Create/Get/GetAll/Update/Delete)
  partitions_api.py  partitions (Create/BatchCreate/Get/GetPartitions/BatchGet/Update/Delete)
  partition_filter.py  GetPartitions' Expression, evaluated by DuckDB after a sqlglot parse
  catalog.py         storage per account/region, saved to LOCALSTACK_VOLUME_DIR/lab-glue/catalog.json
  shapes.py          stored records <-> response shapes (timestamps, AWS's defaults)
  validation.py      names, required members, partition values, page sizes and tokens
  errors.py          EntityNotFoundException, AlreadyExistsException, InvalidInputException, ...

Choices: the catalog is the lab's own storage (not moto's Glue backend: its error
messages and missing shapes would have to be patched over, and it does not persist);
database and table names are stored in lower case, as Glue does.
"""
