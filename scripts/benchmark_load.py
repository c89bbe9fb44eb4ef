"""Load benchmark of the production set-up (`make run`: nginx -> gunicorn), through nginx.

For each page, wrk (Debian's, a C load generator: it takes little of the CPU
the server needs on a 2-core machine, and reports latency percentiles) keeps
CONNECTIONS clients busy for DURATION seconds, or until the request budget is
spent: the national map, the registry search, a record page, the CSV export,
and stock CKAN's /dataset/ search for comparison. It prints p50 / p95 /
p99 / errors per page, the registry search / stock search ratio, and the map
page's transfer size with and without gzip (page, then page + its styles,
scripts, images and region outlines).

Loopback only: any other address is refused. Usage (make benchmark-load):
    python scripts/benchmark_load.py http://127.0.0.1:5000 [--duration 60] [--connections 50]
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from urllib.parse import urljoin, urlsplit

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, "wrk_report.lua")
# the pages and their target (ms, p95): pages under 500 ms on this 2-core machine
PAGE_TARGET_MS = 500
MAX_DURATION = 300
MAX_CONNECTIONS = 200


def loopback_only(url: str) -> None:
    host = urlsplit(url).hostname or ""
    addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    outside = [a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_loopback]
    if not addresses or outside:
        sys.exit(f"benchmark_load: {url} is not on this machine's loopback; refused")


def record_path(base: str) -> str:
    found = requests.get(f"{base}/api/3/action/package_search",
                         params={"fq": "dataset_type:ocs", "rows": 1, "sort": "name asc"},
                         timeout=30).json()["result"]["results"]
    if not found:
        sys.exit("benchmark_load: the site has no OCS record (make run loads the demo registry)")
    return f"/ocs/{found[0]['name']}"


def run_wrk(url: str, duration: int, connections: int, threads: int, max_requests: int) -> dict:
    env = dict(os.environ,
               OCSREGISTRY_WRK_MAX_REQUESTS_PER_THREAD=str(max(1, max_requests // threads)))
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
               "-H", "Accept-Encoding: gzip", "-s", LUA, url]
    done = subprocess.run(command, env=env, capture_output=True, text=True,
                          timeout=duration + 60)
    line = next((l for l in done.stdout.splitlines() if l.startswith("WRK_JSON ")), None)
    if done.returncode or line is None:
        sys.exit(f"benchmark_load: wrk failed on {url}:\n{done.stdout}\n{done.stderr}")
    figures = json.loads(line[len("WRK_JSON "):])
    figures["errors_total"] = sum(figures["errors"].values())
    figures["rate"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def wire_bytes(url: str, gzip: bool) -> int:
    """Bytes of the body as sent (compressed or not), by a client asking for gzip or not."""
    response = requests.get(url, stream=True, timeout=60,
                            headers={"Accept-Encoding": "gzip" if gzip else "identity"})
    response.raise_for_status()
    return len(response.raw.read(decode_content=False))


def map_transfer(base: str) -> dict:
    page_url = f"{base}/ocsregistry/map"
    html = requests.get(page_url, timeout=60).text
    assets = sorted(set(re.findall(
        r'(?:src|href|data-module-outlines)="(/(?:webassets|base|ocsregistry)/[^"]+)"', html)))
    assets = [a for a in assets if not a.startswith(("/ocsregistry/map", "/ocsregistry/export"))]
    sizes = {}
    for gzip in (True, False):
        page = wire_bytes(page_url, gzip)
        total = page + sum(wire_bytes(urljoin(base, a), gzip) for a in assets)
        sizes["gzip" if gzip else "identity"] = {"page": page, "with_assets": total}
    return {"requests": 1 + len(assets), **sizes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the site through nginx, e.g. http://127.0.0.1:5000")
    parser.add_argument("--duration", type=int, default=60, help="seconds per page (at most 300)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent clients (<= 200)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="budget per page")
    parser.add_argument("--output", help="write the figures as JSON here too")
    args = parser.parse_args()
    if not 1 <= args.duration <= MAX_DURATION:
        parser.error(f"--duration: between 1 and {MAX_DURATION} seconds")
    if not 1 <= args.connections <= MAX_CONNECTIONS:
        parser.error(f"--connections: between 1 and {MAX_CONNECTIONS}")
    if args.max_requests < 1:
        parser.error("--max-requests: at least 1")
    if not shutil.which("wrk"):
        sys.exit("benchmark_load: wrk is missing (Debian package wrk; devstack/stack.sh installs it)")
    base = args.base.rstrip("/")
    loopback_only(base)
    try:
        requests.get(f"{base}/api/3/action/status_show", timeout=10).raise_for_status()
    except requests.RequestException as error:
        sys.exit(f"benchmark_load: {base} does not answer ({error}); start it with make run")

    pages = {
        "map": "/ocsregistry/map",
        "registry search": "/ocs/",
        "record page": record_path(base),
        "CSV export": "/ocsregistry/export.csv",
        "stock /dataset/ search": "/dataset/",
    }
    threads = min(2, args.connections)
    results = {}
    for name, path in pages.items():
        requests.get(base + path, timeout=60)  # warm: the first hit compiles templates
        print(f"[load] {name}: {path}, {args.connections} clients, {args.duration} s ...",
              file=sys.stderr, flush=True)
        results[name] = dict(path=path, **run_wrk(base + path, args.duration, args.connections,
                                                  threads, args.max_requests))
        time.sleep(2)
    transfer = map_transfer(base)

    print(f"\nLoad through nginx ({base}): {args.connections} clients x {args.duration} s per page,"
          " Accept-Encoding: gzip")
    print(f"{'page':<24}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'errors':>8}")
    for name, r in results.items():
        lat = r["latency_us"]
        print(f"{name:<24}{r['requests']:>9}{r['rate']:>8.1f}{lat['p50'] / 1000:>9.0f}"
              f"{lat['p95'] / 1000:>9.0f}{lat['p99'] / 1000:>9.0f}{r['errors_total']:>8}")
    ours, stock = results["registry search"]["latency_us"], results["stock /dataset/ search"]["latency_us"]
    ratio = {"p50": ours["p50"] / stock["p50"], "p95": ours["p95"] / stock["p95"]}
    print(f"registry search / stock /dataset/ search: p50 x{ratio['p50']:.2f}, "
          f"p95 x{ratio['p95']:.2f}")
    g, i = transfer["gzip"], transfer["identity"]
    print(f"map page transfer: page {g['page']:,} B gzip vs {i['page']:,} B uncompressed; "
          f"with its {transfer['requests'] - 1} assets {g['with_assets']:,} B vs "
          f"{i['with_assets']:,} B ({transfer['requests']} requests)")
    slow = [n for n, r in results.items() if r["latency_us"]["p95"] / 1000 >= PAGE_TARGET_MS]
    errors = sum(r["errors_total"] for r in results.values())
    print(f"target (0 errors, p95 < {PAGE_TARGET_MS} ms): "
          + ("met" if not slow and not errors else f"NOT met (errors {errors}, slow: {slow})"))
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            json.dump({"base": base, "duration": args.duration, "connections": args.connections,
                       "pages": results, "search_ratio": ratio, "map_transfer": transfer},
                      f, indent=2)


if __name__ == "__main__":
    main()
