"""Bytes in, bytes out: photos, media paths, spreadsheets, labels and QR; no HTTP, no database."""
