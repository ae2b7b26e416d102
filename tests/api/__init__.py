"""The HTTP contract: problem details everywhere, and a schemathesis run over the OpenAPI."""
