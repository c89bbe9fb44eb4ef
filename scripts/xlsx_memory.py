"""Peak memory of the .xlsx writer alone, for N synthetic registry rows.

    .stack/venv/bin/python scripts/xlsx_memory.py --ini test.ini --rows 20000 [--writer FILE]

Loads CKAN (for the schema and its labels), builds one realistic row per
record (the cells the digests hold) lazily, sends them through
``export.xlsx_stream`` and reads the chunks as a client would, then prints
the process's peak RSS before and after, and the workbook's size. ``--writer``
takes another export module (e.g. the previous version's table/export.py,
extracted with ``git show``) to compare. Run each measure in a fresh process:
the peak RSS of a process never goes down.
"""
from __future__ import annotations

import argparse
import importlib.util
import resource
import time


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ini", required=True)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--writer", help="another export.py to measure")
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(args.ini))
    with app._wsgi_app.test_request_context():
        from ckanext.ocsregistry.table import columns, export
        if args.writer:
            spec = importlib.util.spec_from_file_location("export_under_test", args.writer)
            export = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(export)
        cols = columns.columns("fr")
        record = {
            "name": "ocs-synthetique", "title": "Base synthétique", "region_code": "76",
            "former_region_codes": ["91", "73"], "ocs_characteristic": "ocs_ge_improved",
            "organization": {"name": "openig", "title": "OPenIG"},
            "vintages": [{"year": 2012, "status": "available", "note": "Aude"},
                         {"year": 2018, "status": "available"}, {"year": 2026, "status": "planned"}],
            "dimensions": ["land_cover", "land_use"], "mmu_m2": 500, "class_count": 54,
            "producers": ["CLS", "TTI"], "data_url": "https://data.example.org/ocs/occitanie.zip",
            "viewer_url": "https://carto.example.org/ocs?region=76", "info_updated": "2024-03-15",
            "notes": "Une base d'occupation du sol régionale, décrite sur plusieurs lignes. " * 4,
            "metadata_modified": "2026-11-21T17:57:50.123456",
        }

        def rows():
            yield [c.header for c in cols]
            for i in range(args.rows):
                data = dict(record, name=f"ocs-synthetique-{i:06d}",
                            record_url=f"https://registre.example.org/ocs/ocs-synthetique-{i:06d}")
                yield [columns.cell(c, data) for c in cols]

        # warm up (imports, schema, temp directory), then measure
        for _chunk in export.xlsx_stream(iter([next(rows())]), "fr"):
            pass
        before = peak_mb()
        start, size = time.perf_counter(), 0
        for chunk in export.xlsx_stream(rows(), "fr"):
            size += len(chunk)
        took = time.perf_counter() - start
        after = peak_mb()
    print(f"rows={args.rows} writer={args.writer or 'current'} peak RSS before={before:.1f} MB "
          f"after={after:.1f} MB growth={after - before:.1f} MB size={size / 1e6:.2f} MB "
          f"time={took:.1f} s")


if __name__ == "__main__":
    main()
