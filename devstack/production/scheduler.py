"""Run the tasks of a crontab-syntax file at their times (supervisord keeps it running).

    scheduler.py periodic.crontab               run every task at its times, for ever
    scheduler.py periodic.crontab --check       parse the file, list the tasks, exit
    scheduler.py periodic.crontab --now 'CMD'   run the task whose command is CMD now

APScheduler does the timing (CronTrigger) and guarantees a task never overlaps
itself; this file only reads the task list and runs each command with /bin/sh,
its output going to the scheduler's log. Debian's cron would read the
system-wide crontabs and cannot be given a file of its own per site.
"""
from __future__ import annotations

import argparse
import logging
import subprocess
import sys
from dataclasses import dataclass

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

log = logging.getLogger("ocsregistry.scheduler")


@dataclass
class Task:
    line: int
    schedule: str
    command: str
    trigger: CronTrigger


class CrontabError(ValueError):
    pass


def read_tasks(path: str) -> list[Task]:
    """The file's tasks; a malformed line raises CrontabError naming it."""
    tasks = []
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, start=1):
            text = raw.strip()
            if not text or text.startswith("#"):
                continue
            fields = text.split(None, 5)
            if len(fields) < 6:
                raise CrontabError(f"{path}:{number}: expected five time fields and a command, "
                                   f"got {text!r}")
            schedule = " ".join(fields[:5])
            try:
                trigger = CronTrigger.from_crontab(schedule)
            except ValueError as error:
                raise CrontabError(f"{path}:{number}: bad schedule {schedule!r}: {error}") from None
            tasks.append(Task(number, schedule, fields[5], trigger))
    return tasks


def run(command: str) -> int:
    log.info("starting: %s", command)
    done = subprocess.run(command, shell=True, stdout=sys.stdout, stderr=sys.stderr)
    (log.info if done.returncode == 0 else log.error)("finished (exit %s): %s",
                                                       done.returncode, command)
    return done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("crontab")
    parser.add_argument("--check", action="store_true", help="parse the file, list its tasks")
    parser.add_argument("--now", metavar="COMMAND", help="run the task with this command now")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="%(asctime)s %(levelname)s [%(name)s] %(message)s")
    try:
        tasks = read_tasks(args.crontab)
    except (OSError, CrontabError) as error:
        print(f"scheduler: {error}", file=sys.stderr)
        return 2
    if args.check:
        for task in tasks:
            print(f"{task.schedule}\t{task.command}")
        return 0
    if args.now is not None:
        chosen = [t for t in tasks if t.command == args.now.strip()]
        if not chosen:
            listed = "; ".join(t.command for t in tasks) or "none"
            print(f"scheduler: no task {args.now!r} in {args.crontab} (tasks: {listed})",
                  file=sys.stderr)
            return 2
        return run(chosen[0].command)
    scheduler = BlockingScheduler()
    for task in tasks:
        # one run at a time; runs missed while the machine slept are run once, late
        scheduler.add_job(run, task.trigger, args=[task.command], id=f"line-{task.line}",
                          max_instances=1, coalesce=True, misfire_grace_time=300)
        log.info("scheduled %s: %s", task.schedule, task.command)
    scheduler.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
