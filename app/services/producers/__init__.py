"""Producer accounts (cơ sở CNNT): registration, one-time links, claims to producer records, the dashboard."""
