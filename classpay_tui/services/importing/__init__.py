"""``classpay import``: the seed's migration path from CSV and JSON files."""
