"""The consumer's checks: certificate lookup, QR and label downloads, misuse reports."""
