"""The CSV import of devices in the admin (filled in by the import work)."""
