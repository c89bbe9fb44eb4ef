"""gunicorn settings for the registry's web processes (behind nginx).

Every value can be overridden from the environment that supervisord gives the
program (OCSREGISTRY_WEB_BIND, OCSREGISTRY_WEB_WORKERS, OCSREGISTRY_WEB_TIMEOUT).
"""
import multiprocessing
import os

wsgi_app = "wsgi:application"
# nginx talks to gunicorn over a Unix socket: no second TCP port to choose or guard.
bind = os.environ.get("OCSREGISTRY_WEB_BIND", "unix:/run/ocsregistry/gunicorn.sock")
# Sync workers, as many as gunicorn's documentation advises ((2 x cores) + 1):
# pages are CPU-bound (Jinja) with short waits on PostgreSQL and Solr, and nginx
# buffers slow clients so that a sync worker is never tied up by one.
workers = int(os.environ.get("OCSREGISTRY_WEB_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
# Longer than any page or streamed export takes; nginx's proxy_read_timeout matches it.
timeout = int(os.environ.get("OCSREGISTRY_WEB_TIMEOUT", "120"))
graceful_timeout = 30
# Recycle workers now and then, so that a slow leak in any library never grows unbounded.
max_requests = 5000
max_requests_jitter = 500
# No preload: CKAN opens database and Redis connections while the app is built,
# and a connection must not be shared by forked workers.
preload_app = False
# Only nginx reaches the socket: trust the client address and scheme it forwards.
forwarded_allow_ips = "*"
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms'
