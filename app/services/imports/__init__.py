"""Winners spreadsheets: validate, upsert, preview and publish, and the template."""
