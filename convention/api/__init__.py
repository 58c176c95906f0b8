"""The read API for machines: JSON under ``/api/v1/<slug>/``, opened by scoped API tokens
(``convention/tokens``), described by the OpenAPI document at ``/api/v1/openapi.json``."""
