"""A bare FastAPI app with one small JSON endpoint: the baseline the benchmark divides by."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
def ping() -> dict[str, object]:
    """A small fixed answer, so the timing is FastAPI + uvicorn + loopback and nothing else."""
    return {"ok": True, "items": [{"id": 1, "name": "Bánh tráng"}, {"id": 2, "name": "Chè"}]}
