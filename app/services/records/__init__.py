"""Office edits of the records: products, producers, certificates, photos, the audit log."""
