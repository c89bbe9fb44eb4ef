"""Search: filters shared by the catalogue, the map and the export; what the index
holds for a record (one entry point, ``index.prepare``); facets; and the per-record
digests kept in Redis for the map and the export."""
