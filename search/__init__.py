"""Search: one protocol, two engines (embedded SQLite FTS5, Meilisearch), fed by the outbox."""
