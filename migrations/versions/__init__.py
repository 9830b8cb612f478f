"""Date-stamped Alembic revisions; a package so setuptools ships them with the app."""
