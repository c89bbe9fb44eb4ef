#!/usr/bin/env bash
# Development and CI stack for ckanext-ocsregistry: PostgreSQL and Redis from
# Debian packages, Apache Solr 9 from Maven Central, CKAN in a virtualenv.
#
#   devstack/stack.sh run     install what is missing, start everything, load the
#                             demonstration registry, serve CKAN as in production:
#                             gunicorn behind nginx, jobs worker, harvest consumers,
#                             periodic tasks, all under supervisord (make run)
#   devstack/stack.sh test    install what is missing, start the services, run
#                             the whole pytest suite on every supported CKAN
#                             version, or on $CKAN_VERSION only (make test)
#   devstack/stack.sh stop    stop every process this script started (make stop)
#   devstack/stack.sh status  show what is running
#   devstack/stack.sh config  write (or update) $OCSREGISTRY_STATE/ckan.ini only
#   devstack/stack.sh periodic 'COMMAND'  run a task of devstack/production/periodic.crontab now
#   devstack/stack.sh benchmark-load [args]  load benchmark through nginx (make benchmark-load)
#   devstack/stack.sh benchmark [args]  registry benchmark (make benchmark)
#   devstack/stack.sh solr-configset DIR  write CKAN's Solr configset for a
#                             SolrCloud collection into DIR (see the README)
#
# All state (virtualenv, Solr jars and cores, database cluster, logs, config)
# lives in $OCSREGISTRY_STATE, by default .stack/ at the repository root.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${OCSREGISTRY_STATE:-$ROOT/.stack}
PG_PORT=${OCSREGISTRY_PG_PORT:-55432}
REDIS_PORT=${OCSREGISTRY_REDIS_PORT:-56379}
SOLR_PORT=${OCSREGISTRY_SOLR_PORT:-58983}
CKAN_PORT=${OCSREGISTRY_CKAN_PORT:-5000}
PY=${OCSREGISTRY_PYTHON:-python3}

# The CKAN versions the registry supports, the default first; each has its
# pinned requirements-ckan-<version>.txt. CKAN_VERSION chooses one (make run
# serves it, make test runs the suite on it only); `make test` without it runs
# the suite on each in turn.
SUPPORTED_CKAN=(2.11.6 2.12.0)
CKAN_VERSION_CHOSEN=${CKAN_VERSION:-}
CKAN_VERSION=${CKAN_VERSION:-${SUPPORTED_CKAN[0]}}

# venv_for VERSION: the virtualenv of a CKAN version: .stack/venv for the
# default one (where the scripts and earlier checkouts expect it),
# .stack/venv-<version> for the others.
venv_for() {
  if [ "$1" = "${SUPPORTED_CKAN[0]}" ]; then echo "$STATE/venv"; else echo "$STATE/venv-$1"; fi
}

# use_ckan VERSION: make VERSION the one the commands below install and run.
use_ckan() {
  [ -f "$ROOT/requirements-ckan-$1.txt" ] ||
    die "CKAN $1 is not supported (supported: ${SUPPORTED_CKAN[*]}; see requirements-ckan-*.txt)"
  CKAN_VERSION=$1
  VENV=$(venv_for "$1")
}

LOGS=$STATE/logs
RUN=$STATE/run
PGDATA=$STATE/pgdata
SOLR=$STATE/solr
CKAN_INI=$STATE/ckan.ini
STORAGE=$STATE/storage

DB_USER=ckan
DB_PASS=ckan
PG_URL_BASE="postgresql://$DB_USER:$DB_PASS@127.0.0.1:$PG_PORT"

# The sites: each has a PostgreSQL database and a Solr core of the same name.
# "ckan" is the site make run serves, "ckan_test" the test suite's,
# "ckan_test_source" the harvest tests' source site, "ckan_bench" and
# "ckan_bench_source" the benchmarks'.
SITES=(ckan ckan_test ckan_test_source ckan_bench ckan_bench_source)
# `make test` runs the suite on TEST_WORKERS pytest-xdist workers, each with
# its own sites (tests/conftest.py: ckan_test_gwN, ckan_test_source_gwN).
TEST_WORKERS=${OCSREGISTRY_TEST_WORKERS:-2}
for ((worker = 0; worker < TEST_WORKERS; worker++)); do
  SITES+=("ckan_test_gw$worker" "ckan_test_source_gw$worker")
done

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

use_ckan "$CKAN_VERSION"

# --------------------------------------------------------------------------
# Installation (each step is skipped when already done)
# --------------------------------------------------------------------------

pg_bindir() {
  local d
  # shellcheck disable=SC2012  # version directories (15, 16...), sorted by version
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

install_system() {
  local need=()
  [ -n "$(pg_bindir || true)" ] || need+=(postgresql)
  command -v pg_config >/dev/null || need+=(libpq-dev)
  command -v redis-server >/dev/null || need+=(redis-server)
  command -v javac >/dev/null || need+=(default-jdk-headless)
  command -v mvn >/dev/null || need+=(maven)
  command -v curl >/dev/null || need+=(curl)
  command -v chromium >/dev/null || need+=(chromium)  # the real-browser tests (Playwright drives it)
  command -v npm >/dev/null || need+=(npm)             # axe-core, injected by the browser tests
  command -v gcc >/dev/null || need+=(build-essential)
  # production serving (make run): nginx in front, supervisor keeping every
  # process running; wrk drives the load benchmark (make benchmark-load)
  [ -x /usr/sbin/nginx ] || need+=(nginx)
  command -v supervisord >/dev/null || need+=(supervisor)
  command -v wrk >/dev/null || need+=(wrk)
  # grep reads to the end (no -q): with pipefail, a writer cut off by grep -q
  # fails the pipeline (SIGPIPE) and a present package would seem missing.
  ldconfig -p 2>/dev/null | grep libmagic.so.1 >/dev/null || need+=(libmagic1)
  ldconfig -p 2>/dev/null | grep libcairo.so.2 >/dev/null || need+=(libcairo2)  # PNG pictures (cairosvg)
  if ! command -v "$PY" >/dev/null; then need+=(python3 python3-dev python3-venv); fi
  if command -v "$PY" >/dev/null && ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
    need+=(python3-venv)
  fi
  if [ ${#need[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing system packages (${need[*]}); run as root or install them"
    log "installing Debian packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >"$LOGS/apt.log" 2>&1 ||
      { tail -n 30 "$LOGS/apt.log" >&2; die "apt-get install failed (see $LOGS/apt.log)"; }
    # Debian starts a default cluster and Redis on install; this stack runs its own.
    if command -v pg_lsclusters >/dev/null; then
      pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | while read -r v c; do
        pg_ctlcluster "$v" "$c" stop >/dev/null 2>&1 || true
      done
    fi
    # Likewise nginx (port 80) and the system supervisord: this stack runs its own.
    local service
    for service in nginx supervisor; do
      if [[ " ${need[*]} " == *" $service "* ]]; then invoke-rc.d "$service" stop >/dev/null 2>&1 || true; fi
    done
  fi
}

install_python() {
  local stamp=$VENV/.ocsregistry-installed
  local pins=$ROOT/requirements-ckan-$CKAN_VERSION.txt
  local want
  want=$(cat "$pins" "$ROOT/requirements.txt" "$ROOT/dev-requirements.txt" "$ROOT/setup.py" | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  log "installing CKAN $CKAN_VERSION and the extensions into $VENV (a few minutes the first time)"
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q -U "pip==24.3.1" "setuptools==75.6.0" wheel >"$LOGS/pip.log" 2>&1 ||
    { tail -n 30 "$LOGS/pip.log" >&2; die "pip bootstrap failed"; }
  "$VENV/bin/pip" install -r "$pins" -r "$ROOT/requirements.txt" -r "$ROOT/dev-requirements.txt" >>"$LOGS/pip.log" 2>&1 ||
    { tail -n 30 "$LOGS/pip.log" >&2; die "pip install failed (see $LOGS/pip.log)"; }
  "$VENV/bin/pip" install --no-deps -e "$ROOT" >>"$LOGS/pip.log" 2>&1 ||
    { tail -n 30 "$LOGS/pip.log" >&2; die "installing ckanext-ocsregistry failed"; }
  echo "$want" >"$stamp"
}

# axe-core (the accessibility checker the browser tests inject), from the npm
# registry at the version devstack/browser/package-lock.json pins.
install_browser_tools() {
  local stamp=$STATE/npm/.installed
  local want
  want=$(cat "$ROOT/devstack/browser/package.json" "$ROOT/devstack/browser/package-lock.json" | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  log "installing axe-core from the npm registry"
  mkdir -p "$STATE/npm"
  cp "$ROOT/devstack/browser/package.json" "$ROOT/devstack/browser/package-lock.json" "$STATE/npm/"
  (cd "$STATE/npm" && npm ci --no-audit --no-fund) >"$LOGS/npm.log" 2>&1 ||
    { tail -n 30 "$LOGS/npm.log" >&2; die "npm ci failed (see $LOGS/npm.log)"; }
  echo "$want" >"$stamp"
}

install_solr() {
  local stamp=$SOLR/.installed
  local want
  want=$(cat "$ROOT/devstack/solr/pom.xml" "$ROOT/devstack/solr/OcsSolrLauncher.java" | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  log "resolving Solr jars from Maven Central"
  rm -rf "${SOLR:?}/lib" "${SOLR:?}/classes"
  mkdir -p "$SOLR/lib" "$SOLR/classes"
  mvn -q -B -f "$ROOT/devstack/solr/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$SOLR/lib" >"$LOGS/maven.log" 2>&1 ||
    { tail -n 30 "$LOGS/maven.log" >&2; die "maven could not resolve Solr (see $LOGS/maven.log)"; }
  javac -d "$SOLR/classes" -cp "$SOLR/lib/*" "$ROOT/devstack/solr/OcsSolrLauncher.java"
  rm -f "$SOLR/.cloud-launcher"
  echo "$want" >"$stamp"
}

# The SolrCloud launcher (tests/test_solrcloud.py) has its own stamp, so that
# adding or changing it compiles one class and never resolves the jars again
# (nor touches them under a running Solr).
install_solr_cloud_launcher() {
  local stamp=$SOLR/.cloud-launcher
  local want
  want=$(cat "$SOLR/.installed" "$ROOT/devstack/solr/OcsSolrCloudLauncher.java" | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  javac -d "$SOLR/classes" -cp "$SOLR/lib/*" "$ROOT/devstack/solr/OcsSolrCloudLauncher.java"
  echo "$want" >"$stamp"
}

# CKAN's configset in directory $1: our solrconfig.xml and CKAN's schema.xml
# (with ckanext-spatial's fields), for each standalone core (solr_core) and,
# with $2 = --solrcloud (a numeric _version_, see build_schema.py), for a
# SolrCloud collection (`solr zk upconfig -d $1`).
solr_configset() {
  local dir=$1
  mkdir -p "$dir"
  cp "$ROOT/devstack/solr/solrconfig.xml" "$dir/solrconfig.xml"
  "$VENV/bin/python" "$ROOT/devstack/solr/build_schema.py" "$dir/schema.xml" ${2:+"$2"}
  : >"$dir/protwords.txt"
  : >"$dir/synonyms.txt"
  : >"$dir/stopwords.txt"
}

# A Solr core per site (see SITES).
solr_core() {
  local core=$1 dir=$SOLR/home/$1
  solr_configset "$dir/conf"
  echo "$CKAN_VERSION" >"$dir/ckan-version"
  echo "name=$core" >"$dir/core.properties"
}

# --------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------

# owned_pid NAME: print the pid in $RUN/NAME.pid (redis, solr or ckan) if that
# process is still this state folder's NAME, judged by its command line (and
# working directory), so that a pid the system has since given to another
# program, or another stack's process, is never taken for ours.
owned_pid() {
  local name=$1 pid cmd
  pid=$(cat "$RUN/$name.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  case $name in
    redis) [[ $cmd == *redis-server* ]] && same_dir "/proc/$pid/cwd" "$STATE/redis" ;;
    solr) [[ $cmd == *" OcsSolrLauncher $SOLR/home "* ]] ;;
    ckan) [[ $cmd == *"/bin/ckan -c $CKAN_INI run "* ]] ;;
    supervisord) [[ $cmd == *"supervisord -c $STATE/supervisord.conf"* ]] ;;
    *) false ;;
  esac || return 1
  echo "$pid"
}

alive() { owned_pid "$1" >/dev/null; }

same_dir() { [ "$(readlink -f "$1" 2>/dev/null)" = "$(readlink -f "$2" 2>/dev/null)" ]; }

# This state folder's PostgreSQL runs: pg_ctl says so, and the pid in
# postmaster.pid is a postgres working in $PGDATA.
pg_alive() {
  local bin=$1 pid
  [ -f "$PGDATA/PG_VERSION" ] || return 1
  su postgres -s /bin/sh -c "$bin/pg_ctl -D '$PGDATA' status" >/dev/null 2>&1 || return 1
  pid=$(head -n 1 "$PGDATA/postmaster.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") == *postgres* ]] &&
    same_dir "/proc/$pid/cwd" "$PGDATA"
}

# stop_proc NAME: stop this state folder's NAME (redis, solr, ckan) through its
# pid file, and wait until it is gone so that its port is free again.
stop_proc() {
  local name=$1 pid i
  if pid=$(owned_pid "$name"); then
    log "stopping $name"
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) did not stop in 30s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 20; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
  elif [ -f "$RUN/$name.pid" ] && kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then
    log "$RUN/$name.pid names pid $(cat "$RUN/$name.pid"), which is not this stack's $name: left alone"
  fi
  rm -f "$RUN/$name.pid"
}

# port_taken PORT: something accepts connections on 127.0.0.1:PORT.
port_taken() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# check_port PORT VARIABLE DESCRIPTION: called before starting a service of
# this state folder, which is not running (its own process would have been
# found through its pid file): anything on the port belongs to someone else.
check_port() {
  local port=$1 var=$2 what=$3 holder=""
  port_taken "$port" || return 0
  if command -v ss >/dev/null; then  # iproute2, when installed, names the holder
    holder=$(ss -Hltnp "sport = :$port" 2>/dev/null |
      sed -nE 's/.*users:\(\("([^"]*)",pid=([0-9]+).*/\1, pid \2/p' | head -n 1) || true
  fi
  die "port $port, wanted by $what, is already taken by a process that is not this stack's ($STATE)${holder:+: $holder}; stop it, or choose another port with $var=PORT"
}

# wait_for SECONDS DESCRIPTION LOG_FILE PID COMMAND...: wait until COMMAND
# succeeds; when it does not in time, or the process PID (if given) exits
# first, print the tail of LOG_FILE and die.
wait_for() {
  local secs=$1 what=$2 logfile=$3 pid=$4; shift 4
  local i why="did not come up in ${secs}s"
  for ((i = 0; i < secs * 2; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then why="exited before coming up"; break; fi
    sleep 0.5
  done
  if [ -s "$logfile" ]; then
    log "last lines of $logfile:"
    tail -n 30 "$logfile" >&2
  fi
  die "$what $why (log: $logfile)"
}

start_postgres() {
  local bin
  bin=$(pg_bindir) || die "PostgreSQL binaries not found"
  mkdir -p "$RUN"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in $PGDATA"
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    su postgres -s /bin/sh -c "$bin/initdb -D '$PGDATA' -U postgres -A trust -E UTF8 --locale=C.UTF-8" \
      >"$LOGS/initdb.log" 2>&1 || { tail -n 20 "$LOGS/initdb.log" >&2; die "initdb failed"; }
  fi
  chown postgres:postgres "$RUN" 2>/dev/null || true
  chmod 755 "$STATE"
  if ! pg_alive "$bin"; then
    check_port "$PG_PORT" OCSREGISTRY_PG_PORT PostgreSQL
    touch "$LOGS/postgres.log"
    chown postgres "$LOGS/postgres.log"
    su postgres -s /bin/sh -c "$bin/pg_ctl -D '$PGDATA' -l '$LOGS/postgres.log' -w \
      -o \"-p $PG_PORT -c listen_addresses=127.0.0.1 -k '$RUN' -c fsync=off\" start" >/dev/null ||
      { tail -n 20 "$LOGS/postgres.log" >&2; die "PostgreSQL did not start"; }
  fi
  local psql=("$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [ -z "$("${psql[@]}" -c "select 1 from pg_roles where rolname='$DB_USER'")" ]; then
    "${psql[@]}" -c "create role $DB_USER login password '$DB_PASS'"
  fi
  local db
  for db in "${SITES[@]}"; do
    if [ -z "$("${psql[@]}" -c "select 1 from pg_database where datname='$db'")" ]; then
      "${psql[@]}" -c "create database $db owner $DB_USER encoding 'utf8' template template0"
    fi
  done
}

start_redis() {
  mkdir -p "$STATE/redis" "$RUN"
  if ! alive redis; then
    check_port "$REDIS_PORT" OCSREGISTRY_REDIS_PORT Redis
    # 16 dbs by default; each test worker (and each worktree slot) takes two
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --databases 64 --dir "$STATE/redis" \
      --daemonize yes --pidfile "$RUN/redis.pid" --logfile "$LOGS/redis.log" --save "" >/dev/null
    wait_for 20 Redis "$LOGS/redis.log" "" redis-cli -p "$REDIS_PORT" ping
  fi
}

start_solr() {
  mkdir -p "$SOLR/home" "$RUN"
  cp "$ROOT/devstack/solr/solr.xml" "$SOLR/home/solr.xml"
  local core pid=""
  if ! alive solr; then
    check_port "$SOLR_PORT" OCSREGISTRY_SOLR_PORT Solr
    for core in "${SITES[@]}"; do solr_core "$core"; done
    log "starting Solr on 127.0.0.1:$SOLR_PORT"
    nohup java -Xms256m -Xmx1g -Dsolr.log.dir="$LOGS" -Dhost=127.0.0.1 \
      -Dsolr.install.dir="$SOLR" -Dsolr.allowPaths="$SOLR" \
      -cp "$SOLR/lib/*:$SOLR/classes" OcsSolrLauncher "$SOLR/home" "$SOLR_PORT" \
      >"$LOGS/solr.log" 2>&1 &
    pid=$!
    echo "$pid" >"$RUN/solr.pid"
  fi
  wait_for 120 Solr "$LOGS/solr.log" "$pid" curl -fsS "http://127.0.0.1:$SOLR_PORT/solr/ckan_test/select?q=*:*&rows=0"
  # A Solr started by an older checkout may lack a core: add it without a restart.
  for core in "${SITES[@]}"; do
    if ! curl -fsS "http://127.0.0.1:$SOLR_PORT/solr/$core/select?q=*:*&rows=0" >/dev/null 2>&1; then
      solr_core "$core"
      rm -f "$SOLR/home/$core/core.properties"  # CREATE writes it
      curl -fsS "http://127.0.0.1:$SOLR_PORT/solr/admin/cores?action=CREATE&name=$core&instanceDir=$core" >/dev/null
    fi
  done
  solr_use_schema
}

# Each core gets the schema.xml of the CKAN version in use (see build_schema.py),
# reloaded in place when another version's schema is there, so that one Solr
# serves the suite on each CKAN version in turn.
solr_use_schema() {
  local core dir
  for dir in "$SOLR"/home/*/; do
    dir=${dir%/}
    core=${dir##*/}
    [ "$(cat "$dir/ckan-version" 2>/dev/null)" = "$CKAN_VERSION" ] && continue
    "$VENV/bin/python" "$ROOT/devstack/solr/build_schema.py" "$dir/conf/schema.xml.new"
    if cmp -s "$dir/conf/schema.xml.new" "$dir/conf/schema.xml"; then
      rm "$dir/conf/schema.xml.new"
    else
      log "Solr core $core: the schema of CKAN $CKAN_VERSION"
      mv "$dir/conf/schema.xml.new" "$dir/conf/schema.xml"
      curl -fsS "http://127.0.0.1:$SOLR_PORT/solr/admin/cores?action=RELOAD&core=$core" >/dev/null ||
        die "Solr could not reload core $core with CKAN $CKAN_VERSION's schema (see $LOGS/solr.log)"
    fi
    echo "$CKAN_VERSION" >"$dir/ckan-version"
  done
}

# Environment overrides CKAN honours; test.ini and the generated ckan.ini use them.
export_env() {
  export CKAN_SQLALCHEMY_URL="$PG_URL_BASE/$1"
  export CKAN_SOLR_URL="http://127.0.0.1:$SOLR_PORT/solr/$2"
  export CKAN_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/$3"
}

start_services() {
  mkdir -p "$LOGS" "$RUN"
  start_postgres
  start_redis
  start_solr
}

# --------------------------------------------------------------------------
# CKAN site
# --------------------------------------------------------------------------

ckan() { "$VENV/bin/ckan" -c "$CKAN_INI" "$@"; }

configure_ckan() {
  mkdir -p "$STORAGE"
  if [ ! -f "$CKAN_INI" ]; then
    "$VENV/bin/ckan" generate config "$CKAN_INI" >/dev/null
  fi
  # The registry home is the site home (ckanext.ocsregistry.home_as_site_home).
  # CSRF tokens are checked on extensions' routes too (ckanext-harvest's take
  # state-changing POSTs), and only sysadmins create organisations (the CRIGE).
  "$VENV/bin/ckan" config-tool "$CKAN_INI" \
    "sqlalchemy.url=$PG_URL_BASE/ckan" \
    "solr_url=http://127.0.0.1:$SOLR_PORT/solr/ckan" \
    "ckan.redis.url=redis://127.0.0.1:$REDIS_PORT/0" \
    "ckan.site_url=http://127.0.0.1:$CKAN_PORT" \
    "ckan.storage_path=$STORAGE" \
    "ckan.plugins=ocsregistry scheming_datasets scheming_organizations spatial_metadata spatial_query harvest ckan_harvester ocsregistry_harvester dcat dcat_rdf_harvester activity" \
    "scheming.dataset_schemas=ckanext.ocsregistry.schemas:ocs_dataset.yaml" \
    "scheming.organization_schemas=ckanext.ocsregistry.schemas:crige_organization.yaml" \
    "scheming.presets=ckanext.scheming:presets.json ckanext.ocsregistry.schemas:presets.yaml" \
    "ckanext.spatial.search_backend=solr-spatial-field" \
    "ckanext.dcat.rdf.profiles=ocsregistry_dcat_ap" \
    "ckan.locale_default=fr" \
    "ckan.locales_offered=fr en" \
    "ckan.site_title=Registre des OCS régionales" \
    "ckan.auth.create_unowned_dataset=false" \
    "ckan.auth.user_create_organizations=false" \
    "ckan.csrf_protection.ignore_extensions=false" \
    "ckan.search.show_all_types=true" \
    "ckanext.ocsregistry.home_as_site_home=true" >/dev/null
  "$VENV/bin/ckan" config-tool "$CKAN_INI" -s logger_ckanext "level=INFO" >/dev/null
  # `ckan generate config` writes an empty SESSION_COOKIE_DOMAIN, sent as an empty
  # "Domain=" attribute that HTTP clients other than browsers refuse (RFC 6265
  # leaves it undefined); without the line the cookie is host-only.
  sed -i '/^SESSION_COOKIE_DOMAIN *= *$/d' "$CKAN_INI"
}

init_site() {
  log "initialising the database"
  ckan db init >"$LOGS/db.log" 2>&1 || { tail -n 30 "$LOGS/db.log" >&2; die "ckan db init failed"; }
  ckan db pending-migrations --apply >>"$LOGS/db.log" 2>&1 ||
    { tail -n 30 "$LOGS/db.log" >&2; die "plugin migrations failed"; }
  local pwfile=$STATE/admin-password
  [ -s "$pwfile" ] || "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(12))' >"$pwfile"
  chmod 600 "$pwfile"
  if ! ckan user show admin 2>/dev/null | grep "name=admin" >/dev/null; then
    ckan user add admin email=admin@ocsregistry.invalid password="$(cat "$pwfile")" >/dev/null
  fi
  ckan sysadmin add admin >/dev/null 2>&1 || true
  log "loading the demonstration registry"
  ckan ocsregistry load-demo
  # an upgraded extension may store and index differently: migrations, index, digests
  ckan ocsregistry upgrade >>"$LOGS/db.log" 2>&1 || { tail -n 30 "$LOGS/db.log" >&2; die "ckan ocsregistry upgrade failed"; }
}

# --------------------------------------------------------------------------
# Production serving: gunicorn behind nginx, CKAN's jobs worker, the harvest
# consumers and the periodic tasks, all kept running by one supervisord per
# state folder (devstack/production/ holds the templates and settings).
# --------------------------------------------------------------------------

PROD=$ROOT/devstack/production
NGINX=$STATE/nginx
SUPERVISOR_CONF=$STATE/supervisord.conf

supervisorctl_() { supervisorctl -c "$SUPERVISOR_CONF" "$@"; }

# fill_template IN OUT: IN with its @NAME@ values replaced.
fill_template() {
  local max_mb user="" workers=""
  max_mb=$(sed -nE 's/^ckan\.max_resource_size *= *([0-9]+).*/\1/p' "$CKAN_INI" | tail -n 1)
  # nginx's workers drop root for www-data, which Debian's nginx package creates
  [ "$(id -u)" = 0 ] && user="user www-data;"
  [ -n "${OCSREGISTRY_WEB_WORKERS:-}" ] && workers=",OCSREGISTRY_WEB_WORKERS=\"$OCSREGISTRY_WEB_WORKERS\""
  sed -e "s#@ROOT@#$ROOT#g" -e "s#@STATE@#$STATE#g" -e "s#@RUN@#$RUN#g" -e "s#@LOGS@#$LOGS#g" \
    -e "s#@VENV@#$VENV#g" -e "s#@PROD@#$PROD#g" -e "s#@NGINX@#$NGINX#g" \
    -e "s#@CKAN_INI@#$CKAN_INI#g" -e "s#@PORT@#$CKAN_PORT#g" -e "s#@USER@#$user#g" \
    -e "s#@MAX_BODY@#$((${max_mb:-10} + 1))#g" -e "s#@STATIC_CONF@#$PROD/nginx-static.conf#g" \
    -e "s#@WEB_WORKERS@#$workers#g" "$1" >"$2"
}

configure_production() {
  # ckanext-harvest's resubmit and queue purge look for the backend named
  # explicitly; the queues live in the site's Redis (ckan.redis.url)
  "$VENV/bin/ckan" config-tool "$CKAN_INI" "ckan.harvest.mq.type=redis" >/dev/null
  mkdir -p "$NGINX" "$RUN" "$LOGS"
  fill_template "$PROD/nginx.conf.in" "$NGINX/nginx.conf"
  fill_template "$PROD/supervisord.conf.in" "$SUPERVISOR_CONF"
  /usr/sbin/nginx -t -q -p "$NGINX" -c "$NGINX/nginx.conf" 2>"$LOGS/nginx-test.log" ||
    { cat "$LOGS/nginx-test.log" >&2; die "the generated nginx configuration is invalid ($NGINX/nginx.conf)"; }
  "$VENV/bin/python" "$PROD/scheduler.py" "$PROD/periodic.crontab" --check >/dev/null ||
    die "devstack/production/periodic.crontab is invalid"
}

# Stop this state folder's supervisord and, through it, every program it runs.
stop_supervised() {
  local pid i
  pid=$(owned_pid supervisord) || { rm -f "$RUN/supervisord.pid"; return 0; }
  log "stopping the supervised programs (web, nginx, jobs, harvest consumers, scheduler)"
  kill -TERM "$pid" 2>/dev/null || true
  # supervisord stops each program (gracefully, up to its stopwaitsecs), then exits
  for ((i = 0; i < 240; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "supervisord (pid $pid) still runs after 120 s"; fi
  rm -f "$RUN/supervisord.pid"
}

serve_ckan() {
  # A CKAN development server left by an older checkout holds the port.
  stop_proc ckan
  configure_production
  # Restart everything: the code or ckan.ini may have changed since.
  stop_supervised
  check_port "$CKAN_PORT" OCSREGISTRY_CKAN_PORT nginx
  rm -f "$RUN/gunicorn.sock"
  supervisord -c "$SUPERVISOR_CONF" || die "supervisord did not start (log: $LOGS/supervisord.log)"
  wait_for 180 "CKAN (nginx and gunicorn)" "$LOGS/web.log" "" \
    curl -fsS "http://127.0.0.1:$CKAN_PORT/api/3/action/status_show"
  local i
  for ((i = 0; i < 30; i++)); do
    supervisorctl_ status >/dev/null 2>&1 && break  # exit 0: every program RUNNING
    sleep 1
  done
  supervisorctl_ status >&2 || die "some supervised programs are not running (logs: $LOGS)"
  cat <<EOF

  The OCS registry is served at http://127.0.0.1:$CKAN_PORT  (nginx -> gunicorn)
    sysadmin:   admin / $(cat "$STATE/admin-password")
    records:    http://127.0.0.1:$CKAN_PORT/ocs/    map: http://127.0.0.1:$CKAN_PORT/ocsregistry/map
    processes:  supervisorctl -c $SUPERVISOR_CONF status   (or: make status)
                web (gunicorn), nginx, jobs, harvest-gather, harvest-fetch, scheduler
    periodic:   devstack/production/periodic.crontab
    config:     $CKAN_INI  $NGINX/nginx.conf  $SUPERVISOR_CONF
    logs:       $LOGS  (web.log, nginx-access.log, jobs.log, harvest-*.log, scheduler.log)
    stop:       make stop

EOF
}

# Load benchmark through nginx against the production set-up (make run's site;
# started when it does not answer). Figures also in $LOGS/benchmark-load.json.
cmd_benchmark_load() {
  if ! curl -fsS "http://127.0.0.1:$CKAN_PORT/api/3/action/status_show" >/dev/null 2>&1 ||
    ! owned_pid supervisord >/dev/null; then
    cmd_run
  fi
  "$VENV/bin/python" "$ROOT/scripts/benchmark_load.py" "http://127.0.0.1:$CKAN_PORT" \
    --output "$LOGS/benchmark-load.json" "$@"
}

# Run a task of devstack/production/periodic.crontab now, as the scheduler would.
cmd_periodic() {
  [ $# -eq 1 ] || die "usage: $0 periodic 'COMMAND' (a command of devstack/production/periodic.crontab)"
  CKAN_INI=$CKAN_INI PATH="$VENV/bin:$PATH" \
    "$VENV/bin/python" "$PROD/scheduler.py" "$PROD/periodic.crontab" --now "$1"
}

# --------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------

cmd_install() {
  mkdir -p "$STATE" "$LOGS" "$RUN"
  install_system
  install_python
  install_browser_tools
  install_solr
  install_solr_cloud_launcher
}

cmd_run() {
  cmd_install
  start_services
  # The site's own settings live in ckan.ini; drop the test overrides.
  unset CKAN_SQLALCHEMY_URL CKAN_SOLR_URL CKAN_REDIS_URL
  configure_ckan
  init_site
  serve_ckan
}

# The test sites' databases and Redis dbs hold one CKAN version's tables and
# data (2.12 moved group extras into a column, for one): when the suite last ran
# on another version, they are dropped and made anew.
reset_test_sites() {
  local mark=$STATE/test-sites-ckan-version
  [ "$(cat "$mark" 2>/dev/null)" = "$CKAN_VERSION" ] && return
  local bin db n
  bin=$(pg_bindir)
  log "test databases: made anew for CKAN $CKAN_VERSION"
  # every test site, those of a run with more workers too
  for db in $("$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qtA -v ON_ERROR_STOP=1 \
      -c "select datname from pg_database where datname like 'ckan\\_test%'"); do
    "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qtA -v ON_ERROR_STOP=1 \
      -c "drop database if exists $db with (force)" >/dev/null
    # its Solr core's documents went with it
    curl -fsS "http://127.0.0.1:$SOLR_PORT/solr/$db/update?commit=true" -H 'Content-Type: text/xml' \
      --data-binary '<delete><query>*:*</query></delete>' >/dev/null 2>&1 || true
  done
  for n in 1 3 $(seq 8 $((9 + 2 * TEST_WORKERS))); do redis-cli -p "$REDIS_PORT" -n "$n" flushdb >/dev/null; done
  start_postgres  # creates the dropped databases
  echo "$CKAN_VERSION" >"$mark"
}

# `make test`: the suite on CKAN_VERSION when it is set, else on every supported
# version in turn (the default first); fails when any run fails.
cmd_test() {
  local versions=("${SUPPORTED_CKAN[@]}") version rc=0 results=()
  [ -n "$CKAN_VERSION_CHOSEN" ] && versions=("$CKAN_VERSION_CHOSEN")
  for version in "${versions[@]}"; do
    use_ckan "$version"
    export CKAN_VERSION  # the tests' own stack.sh calls (test_guards.py) use it too
    local start=$SECONDS one=0
    test_one_version "$@" || one=$?
    results+=("CKAN $version: $([ "$one" = 0 ] && echo passed || echo "failed (pytest exit $one)") in $((SECONDS - start)) s")
    [ "$one" = 0 ] || rc=$one
  done
  if [ ${#versions[@]} -gt 1 ]; then
    log "the suite on each CKAN version:"
    printf '[stack]   %s\n' "${results[@]}" >&2
  fi
  return $rc
}

test_one_version() {
  log "the test suite on CKAN $CKAN_VERSION ($VENV)"
  cmd_install
  start_services
  reset_test_sites
  export_env ckan_test ckan_test 1
  export OCSREGISTRY_AXE_JS=$STATE/npm/node_modules/axe-core/axe.min.js
  cd "$ROOT"
  log "running the test suite"
  local rc=0
  local parallel=()
  # one worker: the plain serial run, on ckan_test
  [ "$TEST_WORKERS" -gt 1 ] && parallel=(-n "$TEST_WORKERS" --dist loadfile)
  "$VENV/bin/python" -m pytest --ckan-ini=test.ini "${parallel[@]}" "$@" || rc=$?
  return $rc
}

cmd_benchmark() {
  cmd_install
  start_services
  export_env ckan_bench ckan_bench 2
  cd "$ROOT"
  log "resetting the benchmark database, Solr core and Redis db"
  local bin
  bin=$(pg_bindir)
  "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qtA -v ON_ERROR_STOP=1 \
    -c "drop database if exists ckan_bench" -c "create database ckan_bench owner $DB_USER" >/dev/null
  redis-cli -p "$REDIS_PORT" -n 2 flushdb >/dev/null
  curl -fsS "http://127.0.0.1:$SOLR_PORT/solr/ckan_bench/update?commit=true" \
    -H 'Content-Type: text/xml' --data-binary '<delete><query>*:*</query></delete>' >/dev/null
  "$VENV/bin/ckan" -c test.ini db init >"$LOGS/bench-db.log" 2>&1 ||
    { tail -n 30 "$LOGS/bench-db.log" >&2; die "could not prepare the benchmark database"; }
  "$VENV/bin/python" scripts/benchmark.py --ini test.ini "$@"
}

cmd_benchmark_harvest() {
  cmd_install
  start_services
  export_env ckan_bench ckan_bench 2
  cd "$ROOT"
  "$VENV/bin/python" scripts/benchmark_harvest.py --ini scripts/benchmark_harvest.ini "$@"
}

# Stops only this state folder's processes, found through their pid files
# (PostgreSQL through its data directory), never by port or name.
cmd_stop() {
  local name
  stop_supervised
  for name in ckan solr redis; do stop_proc "$name"; done
  local bin
  if bin=$(pg_bindir) && pg_alive "$bin"; then
    log "stopping postgres"
    su postgres -s /bin/sh -c "$bin/pg_ctl -D '$PGDATA' -m fast -w stop" >/dev/null
  fi
}

cmd_status() {
  local name pid
  if pid=$(owned_pid supervisord); then
    echo "supervisord: running (pid $pid), $SUPERVISOR_CONF"
    supervisorctl_ status || true
  else
    echo "supervisord: stopped (web, nginx, jobs, harvest consumers, scheduler)"
  fi
  for name in solr redis; do
    if pid=$(owned_pid "$name"); then echo "$name: running (pid $pid)"; else echo "$name: stopped"; fi
  done
  local bin
  if bin=$(pg_bindir) && pg_alive "$bin"; then
    echo "postgres: running"
  else
    echo "postgres: stopped"
  fi
}

case "${1:-}" in
  install) cmd_install ;;
  run) cmd_run ;;
  test) shift; cmd_test "$@" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  config) configure_ckan ;;
  benchmark) shift; cmd_benchmark "$@" ;;
  benchmark-harvest) shift; cmd_benchmark_harvest "$@" ;;
  services) cmd_install; start_services ;;
  solr-configset)
    [ -n "${2:-}" ] || die "usage: $0 solr-configset DIR"
    [ -x "$VENV/bin/python" ] || die "no CKAN virtualenv in $VENV (make install, or OCSREGISTRY_STATE)"
    solr_configset "$2" --solrcloud ;;
  periodic) shift; cmd_periodic "$@" ;;
  benchmark-load) shift; cmd_benchmark_load "$@" ;;
  *) echo "usage: $0 {run|test [pytest args]|stop|status|config|benchmark [args]|benchmark-harvest [args]|benchmark-load [args]|periodic 'COMMAND'|install|services|solr-configset DIR}" >&2; exit 2 ;;
esac
