#!/usr/bin/env python3
"""Check the shipped system configuration with the tools that will read it (CI runs it; so can an
operator before copying the files into /etc).

- ``systemd-analyze verify`` on every unit and timer in deploy/systemd, with ``/srv/kaikukanta``
  pointed at this checkout (so that the programs they start exist);
- ``nginx -t`` on deploy/nginx/kaikukanta.conf with a self-signed certificate in a temporary
  folder, then that nginx started on two free ports in front of an app that is not there: plain HTTP
  redirects to HTTPS, HTTPS answers with HSTS, and the access log shows ``/m/[secret]/`` where the
  request had a mobile-card link's secret.

Run from the checkout: ``python3 deploy/check_configs.py``. Needs systemd-analyze (systemd), nginx
(Debian's ``nginx-light`` will do), openssl and curl. A missing tool is a failure unless
``CHECK_CONFIGS_SKIP_MISSING=1``. Prints one line per check; exit status 0 only when all passed.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = "KHTRWBNXEQPMAGFD"  # a mobile-card link's secret of sixteen letters (made up)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def missing(*tools: str) -> list[str]:
    found = [tool for tool in tools if shutil.which(tool) is None]
    found = [tool for tool in found if not Path("/usr/sbin", tool).exists()]
    return found


def tool(name: str) -> str:
    return shutil.which(name) or str(Path("/usr/sbin", name))


def check_systemd(work: Path) -> str:
    units = work / "systemd"
    units.mkdir()
    srv = work / "srv"
    srv.symlink_to(ROOT)
    for unit in sorted((ROOT / "deploy" / "systemd").iterdir()):
        (units / unit.name).write_text(unit.read_text().replace("/srv/kaikukanta", str(srv)))
    names = sorted(str(path) for path in units.iterdir())
    result = subprocess.run(
        [tool("systemd-analyze"), "verify", "--man=no", *names],
        capture_output=True,
        text=True,
        cwd=units,
    )
    # The units' users, folders and /etc files are the server's: verify reads the units' syntax,
    # their directives and programs, and that each timer's unit exists.
    problems = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    if result.returncode != 0 or problems:
        raise SystemExit("systemd-analyze verify:\n" + "\n".join(problems))
    return f"systemd-analyze verify: {len(names)} units and timers, no finding"


def check_nginx(work: Path) -> str:
    http, https = free_port(), free_port()
    closed = free_port()  # nothing listens there: the app is away, nginx answers 502
    site = (ROOT / "deploy" / "nginx" / "kaikukanta.conf").read_text()
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=kaikukanta.example.fi",
            "-keyout",
            str(work / "privkey.pem"),
            "-out",
            str(work / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    replacements = {
        "/etc/letsencrypt/live/kaikukanta.example.fi/": f"{work}/",
        "/var/log/nginx/": f"{work}/",
        "/var/lib/kaikukanta/static/": f"{work}/static/",
        "listen 80;": f"listen 127.0.0.1:{http};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "server 127.0.0.1:8000": f"server 127.0.0.1:{closed}",
    }
    for old, new in replacements.items():
        assert old in site, f"the sample no longer has {old!r}: update deploy/check_configs.py"
        site = site.replace(old, new)
    (work / "kaikukanta.conf").write_text(site)
    (work / "static" / "web").mkdir(parents=True)
    (work / "static" / "web" / "app.0123abcd.css").write_text("body{}\n")
    (work / "nginx.conf").write_text(
        f"""
pid {work}/nginx.pid;
error_log {work}/error.log;
worker_processes 1;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {work}/body; proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi; uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
    access_log off;
    include {work}/kaikukanta.conf;
}}
"""
    )
    nginx = [tool("nginx"), "-p", str(work), "-c", str(work / "nginx.conf")]
    test = subprocess.run([*nginx, "-t"], capture_output=True, text=True)
    if test.returncode != 0:
        raise SystemExit("nginx -t:\n" + test.stderr)
    subprocess.run([*nginx, "-g", "daemon on;"], check=True)
    try:
        for _ in range(50):
            if (work / "nginx.pid").exists():
                break
            time.sleep(0.1)

        def curl(*args: str) -> str:
            return subprocess.run(
                ["curl", "-sk", "-o", "/dev/null", "-D", "-", "--max-time", "10", *args],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.lower()  # HTTP/2 writes its header names in lower case

        redirect = curl("-H", "Host: kaikukanta.example.fi", f"http://127.0.0.1:{http}/login/")
        assert redirect.startswith("http/1.1 301"), redirect
        assert "location: https://kaikukanta.example.fi/login/" in redirect, redirect
        page = curl(f"https://127.0.0.1:{https}/m/{LINK}/visits/?x=1")
        assert page.split()[1] == "502", page  # the app is away; TLS and the proxy are nginx's
        assert "strict-transport-security: max-age=31536000" in page, page
        static = curl(f"https://127.0.0.1:{https}/static/web/app.0123abcd.css")
        assert static.split()[1] == "200", static  # straight from disk, the app is not asked
        assert "cache-control: public, immutable" in static, static
        assert "strict-transport-security: max-age=31536000" in static, static
    finally:
        pid = (work / "nginx.pid").read_text().strip() if (work / "nginx.pid").exists() else ""
        subprocess.run([*nginx, "-s", "quit"], capture_output=True)
        for _ in range(50):
            if not pid or not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.1)
    log = (work / "kaikukanta.access.log").read_text()
    assert re.search(r'"GET /m/\[secret\]/visits/" 502 ', log), log
    assert LINK not in log and "x=1" not in log, log
    return (
        "nginx -t and a run of the site sample with a self-signed certificate: HTTP redirects, "
        "HTTPS (HTTP/2) with HSTS, static files from disk, no link secret in the access log"
    )


def main() -> int:
    skip = os.environ.get("CHECK_CONFIGS_SKIP_MISSING") == "1"
    checks = [
        (check_systemd, ("systemd-analyze",)),
        (check_nginx, ("nginx", "openssl", "curl")),
    ]
    with tempfile.TemporaryDirectory(prefix="kaikukanta-configs-") as folder:
        # nginx's workers (nobody when run as root) read the static files in it.
        os.chmod(folder, 0o755)  # noqa: S103
        for check, tools in checks:
            absent = missing(*tools)
            if absent:
                message = f"{check.__name__}: not run, missing {', '.join(absent)}"
                if not skip:
                    raise SystemExit(message)
                print(message)
                continue
            work = Path(folder, check.__name__)
            work.mkdir(mode=0o755)
            print(check(work), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
