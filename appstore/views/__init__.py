"""Store pages: the catalogue for staff (catalogue.py) and the owners' pages (manage.py)."""
