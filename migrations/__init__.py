"""Alembic migrations; a package so setuptools ships them with the app."""
