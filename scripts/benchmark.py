"""Registry benchmark: map data, registry home, CSV / .xlsx export and faceted
search on N synthetic records, beside the stock CKAN way of getting the same
CSV and the same per-region counts (paging ``package_search`` through the API
and computing client side), and the weight of the map page and the home.

Run it with ``make benchmark`` (database ``ckan_bench``, Solr core
``ckan_bench``): it loads the records once (bulk SQL, then CKAN's own search
index rebuild), serves CKAN in a separate process per size, and prints the
figures. Usage: python scripts/benchmark.py --ini test.ini [--sizes 2000 20000] [--pages-only]
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


def stock_region_counts(api: str) -> dict[str, dict[str, int]]:
    """What a stock CKAN user does for per-region counts: page package_search,
    count each region's characteristics client side."""
    counts: dict[str, dict[str, int]] = {}
    start, rows = 0, 1000
    while True:
        result = requests.get(api + "/package_search", timeout=600, params={
            "fq": "+dataset_type:ocs", "rows": rows, "start": start, "sort": "name asc"}).json()["result"]
        for pkg in result["results"]:
            region = counts.setdefault(pkg.get("region_code") or "", {})
            region[pkg.get("ocs_characteristic") or ""] = region.get(pkg.get("ocs_characteristic") or "", 0) + 1
        start += rows
        if start >= result["count"]:
            return counts


def _page_bodies(url: str, outlines: bool = True) -> list[tuple[str, bytes]]:
    """A page and everything it loads (no tiles, no fonts), each with its kind."""
    html = requests.get(url).content
    assets = set(re.findall(rb'(?:src|href)="(/webassets/[^"]+|/base/[^"]+\.css)"', html))
    if outlines:
        assets.add(b"/ocsregistry/regions.geojson")
    base = url.split("/ocsregistry")[0]

    def kind(path: str) -> str:
        return ("outlines" if path.endswith(".geojson") else "scripts" if path.endswith(".js")
                else "styles")

    return [("HTML", html)] + [(kind(a.decode()), requests.get(base + a.decode()).content)
                               for a in sorted(assets)]


def page_transfer(url: str, outlines: bool = True) -> tuple[int, int]:
    """Bytes of a page and everything it loads (no tiles, no fonts), raw and gzipped; the
    region outlines are the map's only."""
    bodies = [b for _, b in _page_bodies(url, outlines)]
    return sum(map(len, bodies)), sum(len(gzip.compress(b)) for b in bodies)


def page_parts(url: str) -> dict[str, int]:
    """The map page's gzipped bytes by kind (HTML, scripts, styles, outlines), and whether
    it loads one of CKAN's base scripts (jQuery and the rest: about 250 KB gzipped)."""
    parts: dict[str, int] = {"HTML": 0, "scripts": 0, "styles": 0, "outlines": 0}
    html = b""
    for kind, body in _page_bodies(url):
        parts[kind] += len(gzip.compress(body))
        html = html or body
    parts["ckan_base_scripts"] = int(bool(re.search(rb'src="/webassets/(vendor|base)/[^"]+\.js"', html)))
    return parts


def measure_pages(ini: str, n: int) -> dict:
    """The map page and the home only (``--pages-only``): what a phone downloads."""
    server = Server(ini)
    try:
        out = {"n": n}
        out["page_bytes"], out["page_gzip_bytes"] = page_transfer(server.url + "/ocsregistry/map")
        out["page_parts"] = page_parts(server.url + "/ocsregistry/map")
        out["home_bytes"], out["home_gzip_bytes"] = page_transfer(server.url + "/ocsregistry/", False)
        return out
    finally:
        server.stop()


def print_pages(results: list[dict]) -> None:
    print("| N | map page raw (KiB) | map page gzipped (KiB) | home raw (KiB) | home gzipped (KiB) |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r['n']} | {r['page_bytes'] / 1024:.0f} | {r['page_gzip_bytes'] / 1024:.0f} "
              f"| {r['home_bytes'] / 1024:.0f} | {r['home_gzip_bytes'] / 1024:.0f} |")
    print("(HTML, scripts, styles and, for the map, the outlines; no tiles, no fonts; target "
          "under 150 KB gzipped, issue #14)")
    print()
    print("| N | map page gzipped (KiB): HTML | scripts | styles | region outlines | CKAN base scripts loaded |")
    print("|---|---|---|---|---|---|")
    for r in results:
        p = r["page_parts"]
        print(f"| {r['n']} | {p['HTML'] / 1024:.1f} | {p['scripts'] / 1024:.1f} | {p['styles'] / 1024:.1f} "
              f"| {p['outlines'] / 1024:.1f} | {'yes' if p['ckan_base_scripts'] else 'no'} |")


def measure_views(url: str, n: int) -> dict:
    """The timeline, the comparison and the feed: data, pictures, pages (gzipped)."""
    api = url + "/api/3/action"
    out = {}
    out["timeline_ms"], data = timed(lambda: requests.get(api + "/ocsregistry_timeline").json(), 5)
    assert data["result"]["count"] == n, data["result"]["count"]
    out["timeline_svg_ms"], _ = timed(lambda: download(url + "/ocsregistry/timeline.svg"), 3)
    # a PNG holds at most 400 lines (regions and bases): one region's bases
    out["timeline_png_ms"], _ = timed(lambda: download(
        url + "/ocsregistry/timeline.png", vocab_ocsregistry_region="44"), 3)
    out["timeline_bytes"], out["timeline_gzip_bytes"] = page_transfer(url + "/ocsregistry/timeline",
                                                                    outlines=False)
    records = "ocs-bench-000000,ocs-bench-000001,ocs-bench-000002,ocs-bench-000003"
    out["compare_ms"], _ = timed(lambda: requests.get(url + "/ocsregistry/compare",
                                                      params={"records": records}).text, 5)
    out["compare_bytes"], out["compare_gzip_bytes"] = page_transfer(
        url + "/ocsregistry/compare?records=" + records, outlines=False)
    out["feed_ms"], _ = timed(lambda: requests.get(url + "/ocsregistry/changes.atom").text, 5)
    return out


def print_views(results: list[dict]) -> None:
    print("\n| N | timeline data (ms) | timeline SVG (ms) | timeline PNG (ms) | timeline page "
          "(KiB gzipped) | comparison of 4 (ms) | comparison page (KiB gzipped) | feed of 50 (ms) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['n']} | {r['timeline_ms'] * 1000:.0f} | {r['timeline_svg_ms'] * 1000:.0f} "
              f"| {r['timeline_png_ms'] * 1000:.0f} | {r['timeline_gzip_bytes'] / 1024:.0f} "
              f"| {r['compare_ms'] * 1000:.0f} | {r['compare_gzip_bytes'] / 1024:.0f} "
              f"| {r['feed_ms'] * 1000:.0f} |")


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
        requests.get(api + "/ocsregistry_region_summary").raise_for_status()
        out["summary_ms"], summary = timed(
            lambda: requests.get(api + "/ocsregistry_region_summary").json(), 10)
        assert summary["result"]["count"] == n, summary["result"]["count"]
        out["stock_summary_s"], stock = timed(lambda: stock_region_counts(api))
        assert sum(sum(r.values()) for r in stock.values()) == n
        requests.get(server.url + "/ocsregistry/").raise_for_status()
        out["home_ms"], _ = timed(lambda: requests.get(server.url + "/ocsregistry/").raise_for_status(), 10)
        requests.get(server.url + "/").raise_for_status()
        out["stock_home_ms"], _ = timed(lambda: requests.get(server.url + "/").raise_for_status(), 10)
        requests.get(server.url + "/ocsregistry/map").raise_for_status()
        out["map_page_ms"], _ = timed(lambda: requests.get(server.url + "/ocsregistry/map").raise_for_status(), 5)
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
        out["page_parts"] = page_parts(server.url + "/ocsregistry/map")
        out.update(measure_views(server.url, n))
        out["home_bytes"], out["home_gzip_bytes"] = page_transfer(server.url + "/ocsregistry/", False)
        return out
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ini", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--pages-only", action="store_true",
                        help="weigh the map page and the home only (no timings)")
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(args.ini))
    results = []
    for n in sorted(args.sizes):
        print(f"N = {n}", flush=True)
        with app._wsgi_app.test_request_context():
            load(n)
        results.append((measure_pages if args.pages_only else measure)(args.ini, n))

    print()
    if args.pages_only:
        print_pages(results)
        return
    print("| N | map data (median, ms) | faceted search (ms) | CSV export (s) | .xlsx export (s) "
          "| stock CSV route (s) | CSV speed-up | CKAN peak RSS (MB): warm / after CSV / after .xlsx / after stock route |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['n']} | {r['map_ms'] * 1000:.0f} | {r['search_ms'] * 1000:.0f} | {r['csv_s']:.2f} "
              f"| {r['xlsx_s']:.2f} | {r['stock_s']:.2f} | {r['stock_s'] / r['csv_s']:.1f}x "
              f"| {r['idle_rss_mb']:.0f} / {r['rss_after_csv_mb']:.0f} / {r['rss_after_xlsx_mb']:.0f} "
              f"/ {r['rss_after_stock_mb']:.0f} |")
    print()
    print("| N | map data: region summary (ms) | per-record map data (ms) | stock: page package_search, count client side (ms) "
          "| stock / summary | registry home (ms) | CKAN's stock home (ms) | map page (ms) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['n']} | {r['summary_ms'] * 1000:.0f} | {r['map_ms'] * 1000:.0f} "
              f"| {r['stock_summary_s'] * 1000:.0f} | {r['stock_summary_s'] / r['summary_ms']:.0f}x "
              f"| {r['home_ms'] * 1000:.0f} | {r['stock_home_ms'] * 1000:.0f} | {r['map_page_ms'] * 1000:.0f} |")
    print()
    print_pages(results)
    print("CSV sizes: " + ", ".join(f"N={r['n']}: {r['csv_bytes'] / 1e6:.1f} MB" for r in results))
    print_views(results)


if __name__ == "__main__":
    main()
