"""Form models (pydantic) and the reading of posted forms with size limits."""
