"""Reports and exports: read the database, write HTML, CSV, JSON and XLSX."""
