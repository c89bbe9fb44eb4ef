"""Harvest benchmark: records per second between two local registry sites.

A source site (database and Solr core ``ckan_bench_source``, Redis db 4) gets
N synthetic records (same generator as ``benchmark.py``) and is served by
``ckan run`` on a loopback port. The destination (``ckan_bench``) harvests it
through ckanext-harvest's Redis queues, once with the registry harvester and
once, from an empty database again, with stock ``ckan_harvester``. Each run is
timed from job creation to "Finished"; then every harvested record is compared
field by field with the source (one bulk search on each side), and records
that lost a field are not counted as harvested.

Run it with ``make benchmark-harvest``. Usage:
python scripts/benchmark_harvest.py --ini scripts/benchmark_harvest.ini [--records 1000]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
CKAN = os.path.join(os.path.dirname(sys.executable), "ckan")
SOURCE_DB, SOURCE_REDIS_DB = "ckan_bench_source", 4
HARVESTERS = {"ocsregistry": "registry harvester (ckanext-ocsregistry)",
              "ckan": "stock ckan_harvester"}
# Fields each site sets for itself.
LOCAL = {"id", "owner_org", "organization", "metadata_created", "metadata_modified",
         "creator_user_id", "num_resources", "num_tags", "state", "private", "extras",
         "relationships_as_object", "relationships_as_subject", "groups", "tags",
         "harvest_object_id", "harvest_source_id", "harvest_source_title", "license_title",
         "isopen", "revision_id", "resources"}


def _with_name(url: str, name: str) -> str:
    return re.sub(r"/[^/]*$", "/" + name, url)


def source_env() -> dict[str, str]:
    env = dict(os.environ)
    env["CKAN_SQLALCHEMY_URL"] = _with_name(env["CKAN_SQLALCHEMY_URL"], SOURCE_DB)
    env["CKAN_SOLR_URL"] = _with_name(env["CKAN_SOLR_URL"], SOURCE_DB)
    env["CKAN_REDIS_URL"] = _with_name(env["CKAN_REDIS_URL"], str(SOURCE_REDIS_DB))
    return env


def ckan(ini: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run([CKAN, "-c", ini, *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"ckan {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return done.stdout


def reset(ini: str, env: dict[str, str]) -> None:
    import redis
    redis.Redis.from_url(env["CKAN_REDIS_URL"]).flushdb()
    ckan(ini, env, "db", "clean", "--yes")
    ckan(ini, env, "db", "init")
    ckan(ini, env, "db", "pending-migrations", "--apply")
    ckan(ini, env, "search-index", "clear")


# --- in a child process, configured for one site -----------------------------

def _app(ini: str):
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    return make_app(load_config(ini))


def child_load(ini: str, records: int) -> None:
    import benchmark
    app = _app(ini)
    with app._wsgi_app.test_request_context():
        benchmark.load(records)


def child_harvest(ini: str, harvester: str, source_url: str) -> None:
    from ckan.plugins import toolkit as tk
    app = _app(ini)
    with app._wsgi_app.test_request_context():
        from ckanext.ocsregistry.harvesters import job_runner
        site = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}
        org = tk.get_action("organization_create")(dict(site), {"name": "bench-dest"})
        source = tk.get_action("harvest_source_create")(dict(site), {
            "name": "bench-source", "title": "Bench source", "url": source_url,
            "source_type": harvester, "owner_org": org["id"],
            "config": json.dumps({"page_size": 1000} if harvester == "ocsregistry" else {})})
        started = time.perf_counter()
        if os.environ.get("OCSREGISTRY_PROFILE"):
            import cProfile
            import pstats
            profiler = cProfile.Profile()
            job = profiler.runcall(job_runner.run_source, source["id"])
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
        else:
            job = job_runner.run_source(source["id"])
        elapsed = time.perf_counter() - started
        print(json.dumps({"seconds": elapsed, "stats": job["stats"], "status": job["status"],
                          "errors": job["object_error_summary"][:3]
                          + job["gather_error_summary"][:3]}, default=str))


# --- parent ----------------------------------------------------------------

def all_records(url: str) -> dict[str, dict]:
    found, start = {}, 0
    while True:
        result = requests.get(f"{url}/api/3/action/package_search", timeout=600, params={
            "fq": "+dataset_type:ocs", "rows": 1000, "start": start, "sort": "name asc"}).json()
        for record in result["result"]["results"]:
            found[record["name"]] = record
        start += 1000
        if start >= result["result"]["count"]:
            return found


def compare(source: dict[str, dict], harvested: dict[str, dict]) -> tuple[int, dict[str, int]]:
    """Records identical in every non-local field, and how many records lost each field."""
    complete, lost = 0, {}
    for name, sent in source.items():
        got = harvested.get(name)
        if got is None:
            continue
        missing = [k for k, v in sent.items() if k not in LOCAL and v not in (None, "", [])
                   and got.get(k) != v]
        for key in missing:
            lost[key] = lost.get(key, 0) + 1
        complete += not missing
    return complete, lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ini", required=True)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--child", choices=["load", "harvest"])
    parser.add_argument("--harvester")
    parser.add_argument("--source-url")
    args = parser.parse_args()
    if args.child == "load":
        return child_load(args.ini, args.records)
    if args.child == "harvest":
        return child_harvest(args.ini, args.harvester, args.source_url)

    from benchmark import Server

    dest_env, src_env = dict(os.environ), source_env()
    print(f"loading {args.records} records into the source site", flush=True)
    reset(args.ini, src_env)
    subprocess.run([sys.executable, __file__, "--ini", args.ini, "--child", "load",
                    "--records", str(args.records)], env=src_env, check=True)
    os.environ.clear()
    os.environ.update(src_env)
    source = Server(args.ini)  # serves with os.environ
    os.environ.clear()
    os.environ.update(dest_env)
    try:
        sent = all_records(source.url)
        print(f"source: {source.url}, {len(sent)} records", flush=True)
        rows = []
        for harvester, label in HARVESTERS.items():
            reset(args.ini, dest_env)
            out = subprocess.run(
                [sys.executable, __file__, "--ini", args.ini, "--child", "harvest",
                 "--harvester", harvester, "--source-url", source.url],
                env=dest_env, capture_output=True, text=True)
            if out.returncode:
                raise SystemExit(f"{harvester} run failed:\n{out.stderr[-3000:]}")
            if os.environ.get("OCSREGISTRY_PROFILE"):
                print(out.stderr[-12000:], file=sys.stderr)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            dest = Server(args.ini)
            try:
                got = all_records(dest.url)
            finally:
                dest.stop()
            complete, lost = compare(sent, got)
            rows.append((label, result, len(got), complete, lost))
            print(f"  {label}: {result['status']} in {result['seconds']:.1f} s, "
                  f"stats {result['stats']}, errors {result['errors']}", flush=True)
    finally:
        source.stop()

    print()
    print(f"| harvester ({len(sent)} source records) | job time (s) | records created "
          "| complete records | complete records/s | fields lost (records) |")
    print("|---|---|---|---|---|---|")
    for label, result, created, complete, lost in rows:
        lost_text = ", ".join(f"{k} ({n})" for k, n in sorted(lost.items())) or "none"
        print(f"| {label} | {result['seconds']:.1f} | {created} | {complete} "
              f"| {complete / result['seconds']:.1f} | {lost_text} |")
    ours, stock = rows[0], rows[1]
    if stock[3]:
        print(f"\nregistry harvester vs stock: {(ours[3] / ours[1]['seconds']) / (stock[3] / stock[1]['seconds']):.1f}x complete records/s")
    else:
        print("\nstock ckan_harvester brought in no complete record: no ratio "
              f"(raw records/s: ours {ours[2] / ours[1]['seconds']:.1f}, "
              f"stock {stock[2] / stock[1]['seconds']:.1f})")


if __name__ == "__main__":
    main()
