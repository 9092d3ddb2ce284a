"""gunicorn's settings for Kaikukanta: ``gunicorn -c deploy/gunicorn.conf.py`` (deploy/entrypoint does it).

Every value can be changed by an environment variable, so that the systemd unit, the container and CI
run this same file. docs/operations.md explains each choice.
"""

import multiprocessing
import os
from pathlib import Path

wsgi_app = "kaikukanta.wsgi:application"
chdir = str(Path(__file__).resolve().parent.parent)

bind = os.environ.get("KAIKUKANTA_BIND", "127.0.0.1:8000").split(",")

# Synchronous workers: two per core and one more (gunicorn's advice), at most KAIKUKANTA_MAX_WORKERS
# (each holds a database connection: keep workers x servers under PostgreSQL's max_connections, or
# put PgBouncer in front).
_cores = multiprocessing.cpu_count()
workers = int(
    os.environ.get("KAIKUKANTA_WORKERS")
    or min(2 * _cores + 1, int(os.environ.get("KAIKUKANTA_MAX_WORKERS", "12")))
)

# A worker is replaced after about a thousand requests (a leak cannot grow for ever); the jitter keeps
# the workers from all restarting at the same moment.
max_requests = int(os.environ.get("KAIKUKANTA_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("KAIKUKANTA_MAX_REQUESTS_JITTER", "100"))

# A request that takes longer than this is killed (the slowest page, a statistics export, takes a few
# seconds on ten million uses). On SIGTERM (systemctl stop, a deploy) the workers finish the requests
# they are serving, for at most graceful_timeout seconds.
timeout = int(os.environ.get("KAIKUKANTA_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("KAIKUKANTA_GRACEFUL_TIMEOUT", "30"))
keepalive = 5

# Trust X-Forwarded-Proto (and X-Forwarded-For) only from the reverse proxy: nginx on the same machine
# by default; a load balancer's address when there is one.
forwarded_allow_ips = os.environ.get("KAIKUKANTA_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The error log to standard error (journald or the container's log), through the logger class that
# masks card numbers and mobile-card secrets (kaikukanta/core/gunicorn.py). Kaikukanta logs every
# request itself, as a JSON line with its id, user id, status and duration (core/requestlog.py), so
# gunicorn's own access log is off; KAIKUKANTA_ACCESS_LOG=- turns it on (masked, no query string).
logger_class = "kaikukanta.core.gunicorn.Logger"
accesslog = os.environ.get("KAIKUKANTA_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("KAIKUKANTA_LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms "%({x-request-id}o)s"'

# gunicorn 24+ opens a control socket in the user's home by default: two servers on one machine would
# share it, and the systemd unit's ProtectHome forbids it. Signals (HUP, TERM) do the same job.
control_socket_disable = True


# Prometheus metrics from every worker (kaikukanta/core/metrics.py): each worker writes its own files in
# an empty folder, /metrics adds them up, and a worker that exits is marked so its gauges go.
_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    # One folder per address, so that two servers on one machine do not clear each other's.
    os.path.join(
        os.environ.get("KAIKUKANTA_VAR_DIR", os.path.join(chdir, "var")),
        "metrics-" + "".join(c if c.isalnum() else "_" for c in bind[0]),
    ),
)


def on_starting(server):
    import shutil

    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
