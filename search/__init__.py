"""Search: one protocol, two engines (embedded bitmaps in SQLite, Meilisearch), fed by the outbox."""
