"""The periodic tasks' one list (devstack/production/periodic.crontab) and the
scheduler supervisord runs on it: bad lines are refused with their line number,
a task runs now on demand, as its timer would run it."""
from __future__ import annotations

import os
import subprocess
import sys

from apscheduler.triggers.cron import CronTrigger

from .live_site import PRODUCTION

SCHEDULER = os.path.join(PRODUCTION, "scheduler.py")
CRONTAB = os.path.join(PRODUCTION, "periodic.crontab")


def scheduler(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, SCHEDULER, *args], capture_output=True, text=True,
                          timeout=60)


def test_the_shipped_list_runs_the_harvest_jobs_every_five_minutes():
    done = scheduler(CRONTAB, "--check")
    assert done.returncode == 0, done.stderr
    tasks = dict(line.split("\t")[::-1] for line in done.stdout.splitlines())
    assert tasks["ckan harvester run"] == "*/5 * * * *"
    fields = {f.name: str(f) for f in CronTrigger.from_crontab(tasks["ckan harvester run"]).fields}
    assert fields["minute"] == "*/5" and fields["hour"] == "*"


def test_a_task_runs_now_with_its_exit_status(tmp_path):
    out = tmp_path / "out.txt"
    crontab = tmp_path / "tasks.crontab"
    crontab.write_text("# comment\n\n"
                       f"0 3 1 * * echo monthly > {out}\n"
                       "*/5 * * * * exit 3\n", encoding="utf-8")

    done = scheduler(str(crontab), "--now", f"echo monthly > {out}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert out.read_text().strip() == "monthly"
    assert "finished (exit 0)" in done.stdout

    failed = scheduler(str(crontab), "--now", "exit 3")
    assert failed.returncode == 3 and "finished (exit 3): exit 3" in failed.stdout


def test_bad_lines_and_unknown_tasks_are_refused_by_name(tmp_path):
    crontab = tmp_path / "tasks.crontab"
    crontab.write_text("*/5 * * * * ckan harvester run\n61 * * * * ckan jobs clear\n",
                       encoding="utf-8")
    done = scheduler(str(crontab), "--check")
    assert done.returncode == 2
    assert f"{crontab}:2: bad schedule '61 * * * *'" in done.stderr

    crontab.write_text("*/5 * * * *\n", encoding="utf-8")
    done = scheduler(str(crontab), "--check")
    assert done.returncode == 2 and ":1: expected five time fields and a command" in done.stderr

    crontab.write_text("*/5 * * * * ckan harvester run\n", encoding="utf-8")
    done = scheduler(str(crontab), "--now", "ckan harvester purge")
    assert done.returncode == 2
    assert "no task 'ckan harvester purge'" in done.stderr and "ckan harvester run" in done.stderr

    done = scheduler(str(tmp_path / "missing.crontab"), "--check")
    assert done.returncode == 2 and "missing.crontab" in done.stderr
