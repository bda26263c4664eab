"""Store pages: the catalogue for staff (catalogue.py) and the owners' pages (manage.py,
with manage_versions.py and the shared helpers in manage_common.py)."""
