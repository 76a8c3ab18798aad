"""A real httpd with mod_moisinno and a real FerretDB, for the tests.

In the spirit of httpd's test/pyhttpd: the environment renders an httpd
configuration from conf/httpd.conf.in into a private directory, starts
httpd and the development database on free ports, can rewrite the
configuration and restart gracefully, and reads the error log so that a
test fails on any unexpected error or child crash.

MOISINNO_ASAN=1 (`make test SANITIZE=1`): the module is built with ASan and
UBSan (SAN_FLAGS); httpd, which is not, is started with the ASan runtime preloaded
and ASan's reports written to files <root>/asan/asan.PID, and a test fails on
any new report there as on an error-log line.  UBSan's reports go to the
error log ("runtime error:"), and so do ASan's in a process where UBSan has
reported: the two runtimes share one report file.
"""
import glob
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time

import pymongo
import requests

SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODULE = os.path.join(SOURCE, "mod_moisinno", ".libs", "mod_moisinno.so")
APACHE = shutil.which("apache2") or "/usr/sbin/apache2"

ASAN = os.environ.get("MOISINNO_ASAN", "") not in ("", "0")


def asan_runtime():
    """The ASan runtime the module was linked with (gcc's), to preload."""
    cc = os.environ.get("MOISINNO_ASAN_CC", "gcc")
    path = subprocess.run([cc, "-print-file-name=libasan.so"], capture_output=True,
                          text=True, check=True).stdout.strip()
    if not os.path.isabs(path) or not os.path.exists(path):
        raise RuntimeError(f"MOISINNO_ASAN: no libasan.so for {cc} ({path!r})")
    return os.path.realpath(path)


# Error-log lines that make a test fail unless the test expected them.
BAD_LINE = re.compile(
    r"\[[\w.]*:(error|crit|alert|emerg)\]|exit signal|Segmentation fault|AddressSanitizer"
    r"|ERROR: LeakSanitizer|runtime error:"
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() > deadline:
            return value
        time.sleep(interval)


def httpd_recovers(httpd, within=15.0, streak=12):
    """True once `streak` consecutive health checks on new connections (so
    spread over the children) answer 200, within `within` seconds."""
    t0, ok = time.monotonic(), 0
    with requests.Session() as s:
        while time.monotonic() - t0 < within:
            try:
                r = s.get(httpd.url + "/sante", timeout=5, headers={"Connection": "close"})
                ok = ok + 1 if r.status_code == 200 else 0
            except requests.RequestException:
                ok = 0
            if ok >= streak:
                return True
            time.sleep(0.05)
    return False


class DevDB:
    """The embedded FerretDB of scripts/devdb, on a free port.

    Its backend is SQLite (files in <workdir>/db/sqlite) unless
    MOISINNO_DEVDB_BACKEND=postgresql: then it stores its data in a database
    of its own, created in the PostgreSQL cluster that scripts/run-integration
    started in MOISINNO_DEVDB_PG_CLUSTER (scripts/pg-cluster)."""

    def __init__(self, workdir, port=None):
        self.dir = os.path.join(workdir, "db")
        self.port = port or free_port()
        self.backend = os.environ.get("MOISINNO_DEVDB_BACKEND") or "sqlite"
        self.postgresql_url = None
        os.makedirs(self.dir, exist_ok=True)

    @property
    def uri(self):
        return f"mongodb://127.0.0.1:{self.port}/"

    def backend_flags(self):
        if self.backend == "sqlite":
            return []
        if self.backend != "postgresql":
            raise RuntimeError(f"MOISINNO_DEVDB_BACKEND: unknown backend {self.backend!r}")
        if self.postgresql_url is None:
            cluster = os.environ.get("MOISINNO_DEVDB_PG_CLUSTER")
            if not cluster:
                raise RuntimeError(
                    "MOISINNO_DEVDB_BACKEND=postgresql needs a cluster in "
                    "MOISINNO_DEVDB_PG_CLUSTER (scripts/run-integration --backend postgresql)")
            name = f"devdb_{os.getpid()}_{self.port}_{secrets.token_hex(3)}"
            self.postgresql_url = subprocess.run(
                [os.path.join(SOURCE, "scripts", "pg-cluster"), "createdb", cluster, name],
                check=True, capture_output=True, text=True,
            ).stdout.strip()
        return ["--backend", "postgresql", "--postgresql-url", self.postgresql_url]

    def start(self):
        subprocess.run(
            [os.path.join(SOURCE, "scripts", "devdb-start"), str(self.port), self.dir,
             *self.backend_flags()],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop(self):
        subprocess.run([os.path.join(SOURCE, "scripts", "devdb-stop"), self.dir], check=True)

    def pid(self):
        with open(os.path.join(self.dir, "devdb.pid")) as f:
            return int(f.read().strip())

    def pid_alive(self):
        try:
            os.kill(self.pid(), 0)
            return True
        except (OSError, ValueError):
            return False

    def ensure_running(self):
        """Thaws the database and starts it again if a test stopped or
        killed it (returns once it answers a ping)."""
        try:
            self.thaw()
        except OSError:
            pass
        if not self.pid_alive():
            self.start()

    def freeze(self):
        os.kill(self.pid(), signal.SIGSTOP)

    def thaw(self):
        os.kill(self.pid(), signal.SIGCONT)

    def client(self):
        return pymongo.MongoClient(self.uri, serverSelectionTimeoutMS=5000)


class Httpd:
    """httpd with the module, configured from conf/httpd.conf.in."""

    def __init__(self, workdir, db, base="/mois-innovation", mpm="event", database="moisinno"):
        self.root = os.path.join(workdir, "httpd")
        self.db = db
        self.base = base
        self.mpm = mpm
        self.database = database
        self.port = free_port()
        self.log_offset = 0
        self.expected = []
        for sub in ("conf", "logs", "run", "htdocs"):
            os.makedirs(os.path.join(self.root, sub), exist_ok=True)
        self.asan_dir = os.path.join(self.root, "asan")
        self.asan_seen = {}  # report file -> bytes already reported
        if ASAN:
            os.makedirs(self.asan_dir, exist_ok=True)
            os.chmod(self.asan_dir, 0o1777)  # children run as www-data when started as root
        self.conf_path = os.path.join(self.root, "conf", "httpd.conf")
        self.write_config()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}{self.base}"

    @property
    def error_log(self):
        return os.path.join(self.root, "logs", "error.log")

    def render(self, location_extra="", server_extra="", mongo_uri=None, database=None):
        with open(os.path.join(SOURCE, "conf", "httpd.conf.in")) as f:
            text = f.read()
        user = "User www-data\nGroup www-data" if os.geteuid() == 0 else ""
        values = {
            "ROOT": self.root,
            "SOURCE": SOURCE,
            "PORT": str(self.port),
            "MPM": self.mpm,
            "MODULE": MODULE,
            "USER_GROUP": user,
            "LOGLEVEL": "info",
            "MONGO_URI": mongo_uri or self.db.uri,
            "DATABASE": database or self.database,
            "BASE": self.base,
            "SERVER_EXTRA": server_extra,
            "LOCATION_EXTRA": location_extra,
        }
        for key, value in values.items():
            text = text.replace(f"@{key}@", value)
        return text

    def write_config(self, **kw):
        text = kw.pop("text", None) or self.render(**kw)
        with open(self.conf_path, "w") as f:
            f.write(text)

    def env(self):
        env = dict(os.environ, APACHE_RUN_DIR=os.path.join(self.root, "run"))
        if ASAN:
            env["LD_PRELOAD"] = asan_runtime()
            env["ASAN_OPTIONS"] = (
                "detect_leaks=0:abort_on_error=0"
                f":log_path={os.path.join(self.asan_dir, 'asan')}"
            )
            env["UBSAN_OPTIONS"] = "print_stacktrace=1"
        return env

    def apache(self, *args, conf=None):
        return subprocess.run(
            [APACHE, "-d", self.root, "-f", conf or self.conf_path, *args],
            capture_output=True,
            text=True,
            env=self.env(),
        )

    def configtest(self, text):
        """Runs `apache2 -t` on a configuration text; returns the result."""
        path = os.path.join(self.root, "conf", "configtest.conf")
        with open(path, "w") as f:
            f.write(text)
        return self.apache("-t", conf=path)

    def pid(self):
        try:
            with open(os.path.join(self.root, "run", "httpd.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def is_up(self):
        try:
            requests.get(self.url + "/sante", timeout=3)
            return True
        except requests.RequestException:
            return False

    def start(self):
        res = self.apache("-k", "start")
        if res.returncode != 0:
            raise RuntimeError(f"httpd did not start:\n{res.stdout}{res.stderr}\n{self.tail_log()}")
        if not wait_for(self.is_up, 15):
            raise RuntimeError("httpd does not answer:\n" + self.tail_log())

    def stop(self):
        pid = self.pid()
        if not pid:
            return
        # SIGTERM to the parent stops the children too; `apache2 -k stop`
        # would need a configuration that still loads.
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            return

        def gone():
            try:
                os.kill(pid, 0)
                return False
            except OSError:
                return True

        if not wait_for(gone, 15):
            os.kill(pid, signal.SIGKILL)
        # What no test has read yet (an instance whose tests do not call
        # unexpected_log_lines()) fails here.
        reports = self.new_sanitizer_reports()
        assert not reports, "sanitizer reports:\n" + "\n".join(reports)

    def children(self):
        """The pids of the parent's children (every generation)."""
        parent = self.pid()
        if not parent:
            return set()
        try:
            with open(f"/proc/{parent}/task/{parent}/children") as f:
                return {int(p) for p in f.read().split()}
        except OSError:
            return set()

    def graceful(self):
        """Graceful restart; returns once the new generation answers and
        the old one is gone (so no request meets the old configuration)."""
        before = self.generation()
        old = self.children()
        res = self.apache("-k", "graceful")
        if res.returncode != 0:
            raise RuntimeError(res.stdout + res.stderr)
        wait_for(lambda: self.generation() > before, 15)
        wait_for(lambda: not (old & self.children()), 15)
        wait_for(self.is_up, 15)

    def generation(self):
        try:
            with open(self.error_log) as f:
                return f.read().count("resuming normal operations")
        except OSError:
            return 0

    def tail_log(self, n=30):
        try:
            with open(self.error_log) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no error log)"

    def new_log_lines(self):
        try:
            with open(self.error_log, errors="replace") as f:
                f.seek(self.log_offset)
                text = f.read()
                self.log_offset = f.tell()
        except OSError:
            return []
        return text.splitlines()

    def expect_log(self, pattern):
        """Allows error-log lines matching pattern until the current test ends."""
        self.expected.append(re.compile(pattern))

    def new_sanitizer_reports(self):
        """What the sanitizers reported since the last call (ASAN)."""
        if not ASAN:
            return []
        reports = []
        for path in sorted(glob.glob(os.path.join(self.asan_dir, "*san.*"))):
            with open(path, "rb") as f:
                f.seek(self.asan_seen.get(path, 0))
                text = f.read().decode(errors="replace")
                self.asan_seen[path] = f.tell()
            if text.strip():
                reports.append(f"sanitizer report {path}:\n{text}")
        return reports

    def unexpected_log_lines(self):
        lines = [l for l in self.new_log_lines() if BAD_LINE.search(l)]
        bad = [l for l in lines if not any(p.search(l) for p in self.expected)]
        self.expected = []
        return bad + self.new_sanitizer_reports()
