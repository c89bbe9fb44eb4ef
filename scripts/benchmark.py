"""Registry benchmark: map data, CSV / .xlsx export and faceted search on N
synthetic records, beside the stock CKAN way of getting the same CSV (paging
``package_search`` through the API and writing CSV client side).

Run it with ``make benchmark`` (database ``ckan_bench``, Solr core
``ckan_bench``): it loads the records once (bulk SQL, then CKAN's own search
index rebuild), serves CKAN in a separate process per size, and prints the
figures. Usage: python scripts/benchmark.py --ini test.ini [--sizes 2000 20000]
"""
from __future__ import annotations

import argparse
import csv
import datetime
import gzip
import io
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

import requests

CHARACTERISTICS = ["regional_specific", "ocs_ge_improved", "ocs_ge", "clc_derived",
                   "in_progress", "none", "other", "unknown"]
CURRENT = ["01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53",
           "75", "76", "84", "93", "94"]
ORG = "benchmark-crige"


# --- loading ----------------------------------------------------------------

def _extras(i: int, rnd: random.Random) -> dict[str, str]:
    from ckanext.ocsregistry import regions
    code = rnd.choice(CURRENT)
    years = sorted(rnd.sample(range(2000, 2025), rnd.randint(1, 4)))
    return {
        "region_code": code,
        "region_name": regions.name(code),
        "former_region_codes": "[]",
        "spatial": regions.bbox_geojson([code]),
        "ocs_characteristic": rnd.choice(CHARACTERISTICS),
        "ocs_characteristic_detail": f"Synthetic base {i}",
        "vintages": json.dumps([{"year": y, "status": "available", "note": f"lot {i % 7}"}
                                for y in years]),
        "dimensions": json.dumps(rnd.choice([["land_cover"], ["land_cover", "land_use"]])),
        "class_count": str(rnd.randint(10, 120)),
        "class_details": "Nomenclature en quatre niveaux, postes de couverture et d'usage.",
        "level_count": str(rnd.randint(2, 6)),
        "mmu": "Entre 500 m2 et 1000 m2. Jusqu'à 300 m2 pour les espaces verts urbains",
        "mmu_m2": str(rnd.choice([200, 500, 625, 1000, 2500])),
        "imagery": "Orthophotographies",
        "producers": json.dumps(["Prestataire A", "Prestataire B"]),
        "data_url": f"https://data.example.org/ocs/{i}",
        "viewer_url": f"https://viewer.example.org/ocs/{i}",
        "info_updated": "2024-03-31",
        "info_status": "confirmed",
        "quality_control": "Contrôle exhaustif par un second prestataire.",
        "area_km2": str(rnd.randint(1000, 80000)),
        "funding_visibility": "restricted",
        "funders": "Région, État, FEDER",
        "production_price": str(rnd.randint(100000, 2000000)),
        "uses": "Suivi de l'artificialisation des sols, documents d'urbanisme.",
        "review_frequency_months": "12",
    }


def load(target: int) -> None:
    """Bring the benchmark database to ``target`` synthetic records."""
    from ckan import model
    from ckan.lib import search
    from ckan.plugins import toolkit as tk

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    try:
        org = tk.get_action("organization_show")({"user": site_user}, {"id": ORG})
    except tk.ObjectNotFound:
        org = tk.get_action("organization_create")({"user": site_user}, {"name": ORG, "title": "CRIGE banc d'essai"})
    have = model.Session.query(model.Package).filter_by(type="ocs", state="active").count()
    if have >= target:
        return
    rnd = random.Random(have)
    now = datetime.datetime.utcnow()
    packages, extras, ids = [], [], []
    from ckanext.ocsregistry import extras as stored_extras
    extras_in_columns = stored_extras.in_columns()
    for i in range(have, target):
        pid = str(uuid.uuid4())
        ids.append(pid)
        packages.append({"id": pid, "name": f"ocs-bench-{i:06d}", "title": f"Base OCS synthétique {i}",
                         "type": "ocs", "owner_org": org["id"], "state": "active", "private": False,
                         "metadata_created": now, "metadata_modified": now,
                         "notes": "Base synthétique pour le banc d'essai.", "license_id": ""})
        values = _extras(i, rnd)
        if extras_in_columns:  # CKAN 2.12: a JSONB column of package
            packages[-1]["extras"] = values
        else:
            extras.extend({"id": str(uuid.uuid4()), "package_id": pid, "key": key, "value": value,
                           "state": "active"} for key, value in values.items())
    started = time.perf_counter()
    model.Session.execute(model.package_table.insert(), packages)
    if extras:
        model.Session.execute(model.package_extra_table.insert(), extras)
    model.Session.commit()
    search.rebuild(package_ids=ids, defer_commit=True, quiet=True)
    search.commit()
    print(f"  loaded {len(ids)} records in {time.perf_counter() - started:.0f} s", flush=True)


# --- measuring --------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, ini: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, CKAN_SITE_URL=self.url)
        ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([ckan, "-c", ini, "run", "-H", "127.0.0.1", "-p", str(self.port),
                                      "--disable-reloader"], stdout=self.log, stderr=subprocess.STDOUT, env=env)
        for _ in range(240):
            try:
                if requests.get(self.url + "/api/3/action/status_show", timeout=2).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.5)
        raise SystemExit("CKAN did not start")

    def peak_rss_mb(self) -> float:
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1)) / 1024

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def timed(fn, repeat: int = 1):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def download(url: str, **params) -> int:
    size = 0
    with requests.get(url, params=params, stream=True, timeout=600) as resp:
        resp.raise_for_status()
        for chunk in resp.iter_content(1 << 16):
            size += len(chunk)
    return size


def stock_csv(api: str, columns: list[str]) -> int:
    """What a stock CKAN user does: page package_search, write CSV client side."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    start, rows = 0, 1000
    while True:
        result = requests.get(api + "/package_search", timeout=600, params={
            "fq": "+dataset_type:ocs", "rows": rows, "start": start, "sort": "name asc"}).json()["result"]
        for pkg in result["results"]:
            writer.writerow(["; ".join(map(str, v)) if isinstance(v, list) else
                             json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v
                             for v in (pkg.get(c, "") for c in columns)])
        start += rows
        if start >= result["count"]:
            return len(out.getvalue().encode("utf-8"))


def page_transfer(url: str) -> tuple[int, int]:
    """Bytes of the map page and everything it loads (no tiles), raw and gzipped."""
    html = requests.get(url).content
    assets = set(re.findall(rb'(?:src|href)="(/webassets/[^"]+|/base/[^"]+\.css)"', html))
    assets.add(b"/ocsregistry/regions.geojson")
    base = url.split("/ocsregistry")[0]
    bodies = [html] + [requests.get(base + a.decode()).content for a in assets]
    return sum(map(len, bodies)), sum(len(gzip.compress(b)) for b in bodies)


def measure(ini: str, n: int) -> dict:
    server = Server(ini)
    try:
        api = server.url + "/api/3/action"
        # warm up every route on an empty selection, so that the peaks below are theirs
        download(server.url + "/ocsregistry/export.csv", q="no-such-record")
        download(server.url + "/ocsregistry/export.xlsx", q="no-such-record")
        requests.get(api + "/ocsregistry_map_data", params={"q": "no-such-record"}).raise_for_status()
        out = {"n": n, "idle_rss_mb": server.peak_rss_mb()}
        out["csv_s"], out["csv_bytes"] = timed(lambda: download(server.url + "/ocsregistry/export.csv"))
        out["rss_after_csv_mb"] = server.peak_rss_mb()
        out["xlsx_s"], out["xlsx_bytes"] = timed(lambda: download(server.url + "/ocsregistry/export.xlsx"))
        out["rss_after_xlsx_mb"] = server.peak_rss_mb()
        out["map_ms"], map_data = timed(lambda: requests.get(api + "/ocsregistry_map_data").json(), 10)
        assert map_data["result"]["count"] == n, map_data["result"]["count"]
        out["search_ms"], _ = timed(lambda: requests.get(api + "/package_search", params={
            "fq": "+dataset_type:ocs", "rows": 20, "facet.field": json.dumps([
                "vocab_ocsregistry_region", "vocab_ocsregistry_characteristic",
                "vocab_ocsregistry_vintage", "vocab_ocsregistry_dimension", "organization"]),
            "q": "synthétique"}).json(), 10)
        from ckanext.ocsregistry.table import columns
        names = [c.name for c in columns.columns("fr")]
        out["stock_s"], out["stock_bytes"] = timed(lambda: stock_csv(api, names))
        out["rss_after_stock_mb"] = server.peak_rss_mb()
        out["page_bytes"], out["page_gzip_bytes"] = page_transfer(server.url + "/ocsregistry/map")
        return out
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ini", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(args.ini))
    results = []
    for n in sorted(args.sizes):
        print(f"N = {n}", flush=True)
        with app._wsgi_app.test_request_context():
            load(n)
        results.append(measure(args.ini, n))

    print()
    print("| N | map data (median, ms) | faceted search (ms) | CSV export (s) | .xlsx export (s) "
          "| stock CSV route (s) | CSV speed-up | CKAN peak RSS (MB): warm / after CSV / after .xlsx / after stock route |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['n']} | {r['map_ms'] * 1000:.0f} | {r['search_ms'] * 1000:.0f} | {r['csv_s']:.2f} "
              f"| {r['xlsx_s']:.2f} | {r['stock_s']:.2f} | {r['stock_s'] / r['csv_s']:.1f}x "
              f"| {r['idle_rss_mb']:.0f} / {r['rss_after_csv_mb']:.0f} / {r['rss_after_xlsx_mb']:.0f} "
              f"/ {r['rss_after_stock_mb']:.0f} |")
    r = results[0]
    print(f"\nMap page transfer (HTML, scripts, styles, outlines, data; no tiles): "
          f"{r['page_bytes'] / 1024:.0f} KiB raw, {r['page_gzip_bytes'] / 1024:.0f} KiB gzipped")
    print("CSV sizes: " + ", ".join(f"N={r['n']}: {r['csv_bytes'] / 1e6:.1f} MB" for r in results))


if __name__ == "__main__":
    main()
