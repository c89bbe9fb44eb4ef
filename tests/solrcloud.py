"""A real SolrCloud for tests: solr-test-framework's ``MiniSolrCloudCluster`` (an
embedded ZooKeeper and two Solr nodes on loopback ports), started from the Solr
jars devstack/stack.sh resolves, by ``devstack/solr/OcsSolrCloudLauncher.java``,
with a collection made from CKAN's configset (the cores' own schema)."""
from __future__ import annotations

import contextlib
import os
import queue
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Iterator, Optional

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
STATE = Path(os.environ.get("OCSREGISTRY_STATE", ROOT / ".stack"))
SOLR = STATE / "solr"
LAUNCHER = "OcsSolrCloudLauncher"
PREFIX = "OCS-SOLRCLOUD "
WAIT = 180  # seconds: starting the cluster, or a node, on a busy 2-core machine


def missing() -> Optional[str]:
    """Why the cluster cannot start here (``None`` when it can)."""
    if not shutil.which("java"):
        return "no java on PATH"
    if not any((SOLR / "lib").glob("solr-test-framework-*.jar")):
        return f"no Solr jars in {SOLR / 'lib'}"
    if not (SOLR / "classes" / f"{LAUNCHER}.class").exists() and not shutil.which("javac"):
        return f"{LAUNCHER} is not compiled and there is no javac"
    return None


class SolrCloud:
    """A running cluster: its nodes' base URLs, and commands to its launcher."""

    def __init__(self, proc: subprocess.Popen, lines: "queue.Queue[str]", log: Path):
        self.proc = proc
        self._lines = lines
        self.log = log
        ready = self._answer("ready")
        fields = dict(w.split("=", 1) for w in ready.split()[1:] if "=" in w)
        self.zk_host = fields["zk"]
        self.collection = fields["collection"]
        self.start_seconds = float(fields["seconds"])
        self.nodes = ready.split("nodes=", 1)[1].split()

    def collection_url(self, node: int = 0) -> str:
        return f"{self.nodes[node]}/{self.collection}"

    def _answer(self, expected: str) -> str:
        try:
            line = self._lines.get(timeout=WAIT)
        except queue.Empty:
            line = ""
        if not line.startswith(expected):
            pytest.fail(f"SolrCloud launcher: expected {expected!r}, got {line!r}; "
                        f"log {self.log}:\n{self.log.read_text()[-3000:]}")
        return line

    def _command(self, line: str, expected: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self._answer(expected)

    def stop_node(self, n: int) -> None:
        """Stop node ``n`` cleanly; returns once every shard has a live leader again."""
        self._command(f"stop {n}", f"stopped {n}")

    def start_node(self, n: int) -> None:
        """Start node ``n`` again (on a new port); returns once every replica is active
        again."""
        self.nodes[n] = self._command(f"start {n}", f"started {n}").split()[2]

    def replicas(self, node: int = 0) -> list[dict]:
        """Every replica of the collection, from the cluster state (CLUSTERSTATUS)."""
        status = requests.get(f"{self.nodes[node]}/admin/collections", timeout=30, params={
            "action": "CLUSTERSTATUS", "collection": self.collection, "wt": "json"}).json()
        shards = status["cluster"]["collections"][self.collection]["shards"]
        return [dict(replica, shard=shard) for shard, body in sorted(shards.items())
                for replica in body["replicas"].values()]

    def core_count(self, replica: dict) -> int:
        """Documents in one replica's own core (no distributed search)."""
        body = requests.get(f"{replica['base_url']}/{replica['core']}/select", timeout=30,
                            params={"q": "*:*", "rows": 0, "distrib": "false", "wt": "json"})
        body.raise_for_status()
        return body.json()["response"]["numFound"]

    def shutdown(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.terminate()  # the launcher's shutdown hook stops the cluster
                try:
                    self.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()


def _classes(base_dir: Path) -> Path:
    """Where OcsSolrCloudLauncher.class is: devstack/stack.sh compiles it into the
    Solr state folder; a checkout that ran no install yet compiles it here."""
    if (SOLR / "classes" / f"{LAUNCHER}.class").exists():
        return SOLR / "classes"
    classes = base_dir / "classes"
    subprocess.run(["javac", "-d", str(classes), "-cp", str(SOLR / "lib" / "*"),
                    str(ROOT / "devstack" / "solr" / f"{LAUNCHER}.java")],
                   check=True, capture_output=True, timeout=300)
    return classes


@contextlib.contextmanager
def solrcloud(base_dir: Path, collection: str = "ckan", nodes: int = 2, shards: int = 2,
              replicas: int = 2) -> Iterator[SolrCloud]:
    """Start the cluster in ``base_dir`` and yield it until the block ends."""
    configset = base_dir / "configset"
    # the very files each standalone core uses (devstack/stack.sh solr_configset)
    subprocess.run(["bash", str(ROOT / "devstack" / "stack.sh"), "solr-configset", str(configset)],
                   check=True, capture_output=True, timeout=120)
    log = base_dir / "solrcloud.log"
    classpath = f"{SOLR / 'lib' / '*'}:{_classes(base_dir)}"
    proc = subprocess.Popen(
        ["java", "-Xms256m", "-Xmx1g", f"-Dsolr.log.dir={base_dir}", "-Dhost=127.0.0.1",
         "-cp", classpath, LAUNCHER, str(base_dir / "cluster"), str(configset), collection,
         str(nodes), str(shards), str(replicas)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: "queue.Queue[str]" = queue.Queue()

    def pump() -> None:
        # everything to the log; the launcher's own lines to the queue as well
        assert proc.stdout is not None
        with log.open("w") as out:
            for line in proc.stdout:
                out.write(line)
                out.flush()
                if line.startswith(PREFIX):
                    lines.put(line[len(PREFIX):].strip())
        lines.put("exited")

    threading.Thread(target=pump, daemon=True).start()
    cluster = None
    try:
        cluster = SolrCloud(proc, lines, log)
        yield cluster
    finally:
        if cluster:
            cluster.shutdown()
        elif proc.poll() is None:
            proc.kill()
            proc.wait()
