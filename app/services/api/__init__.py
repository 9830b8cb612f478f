"""The JSON API's read use-cases and the shapes they answer in (the OpenAPI schema)."""
