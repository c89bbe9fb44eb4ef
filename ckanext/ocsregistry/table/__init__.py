"""The registry as a table: columns (record <-> row), CSV/XLSX export, import."""
