"""The app under gunicorn with a production environment, for the load benchmark and the live-server tests.

One place decides what "as in production" means (README, Production): DEBUG off, a real secret key,
persistent database connections with health checks (DATABASE_CONN_MAX_AGE=60), several workers and
threads. Only TLS is left out (no proxy on loopback), so SSL redirect and secure cookies are off.
Nothing is inherited from the caller's DJANGO_* or DATABASE_* variables (a test run's
DATABASE_CONN_MAX_AGE=0 must not turn the server into something production never is).
"""

import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
# Static files as production serves them (hashed names, compressed, a manifest): collected apart from the
# development copy, which has no manifest.
PRODUCTION_STATIC_ROOT = ROOT / ".data" / "staticfiles-production"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str, secret_key: str, **extra: str) -> dict:
    """The environment of a production server on loopback (see the README's Production section)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "DEMO_"))}
    env.update(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SSL_REDIRECT": "0",  # no TLS proxy in front on loopback
            "DJANGO_SECURE_COOKIES": "0",
            "DATABASE_URL": database_url,
            "DATABASE_CONN_MAX_AGE": "60",  # the production default: persistent connections, health-checked
            "DJANGO_STATIC_ROOT": str(PRODUCTION_STATIC_ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def new_secret_key() -> str:
    return "bench-" + secrets.token_urlsafe(48)


class GunicornServer:
    """`gunicorn config.wsgi` on a free loopback port; a context manager that always stops it.

    Its log (gunicorn's and Django's, where 500s leave their tracebacks) goes to `log_path`.
    """

    def __init__(
        self,
        database_url: str,
        *,
        secret_key: str | None = None,
        workers: int = 2,
        threads: int = 4,
        timeout: int = 30,
        env: dict | None = None,
    ):
        self.secret_key = secret_key or new_secret_key()
        self.env = production_env(database_url, self.secret_key, **(env or {}))
        self.workers, self.threads, self.timeout = workers, threads, timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def collect_static(self) -> None:
        """`collectstatic` with the production storage, as a deployment runs it before starting the server."""
        result = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode:
            raise RuntimeError(f"collectstatic failed:\n{result.stdout}{result.stderr}")

    def start(self, ready_within: float = 60) -> "GunicornServer":
        self.collect_static()
        command = [
            str(GUNICORN),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--timeout",
            str(self.timeout),
            "--graceful-timeout",
            "10",
            "--no-control-socket",
        ]  # one per user by default: servers side by side would share it
        with self.log_path.open("ab") as log:
            # a session of its own, so stopping it cannot reach the caller's process group
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            self.wait_ready(ready_within)
        except BaseException:
            self.stop()
            raise
        return self

    def wait_ready(self, within: float) -> None:
        """Until /healthz answers 200: every worker has loaded the app (or at least one has, and answers)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {within:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to the master (graceful), SIGKILL to its process group if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class QueueWorker:
    """`manage.py procrastinate worker` with the production environment, at the idle CPU priority of the
    README's systemd unit (SCHED_IDLE: it runs on what the web servers leave)."""

    def __init__(self, env: dict, name: str = "bench-worker", cpu_quota: int = 0):
        self.env, self.name, self.cpu_quota = env, name, cpu_quota
        self.log_path = Path(tempfile.mkstemp(prefix="worker-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "QueueWorker":
        command = [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "procrastinate", "worker", "--name", self.name]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                ["chrt", "--idle", "0", *command], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        if self.cpu_quota and not limit_cpu(self.process.pid, self.cpu_quota):
            print(f"no writable cgroup cpu controller: the worker runs without its {self.cpu_quota}% CPU quota")
            self.cpu_quota = 0
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def limit_cpu(pid: int, percent: int) -> bool:
    """What systemd's CPUQuota=percent% does: a cgroup whose processes get at most that share of one CPU.

    cgroup v2 (cpu.max) or v1 (cpu.cfs_quota_us), whichever this machine has and lets us write."""
    period = 100_000
    for root, files in (
        (Path("/sys/fs/cgroup"), {"cpu.max": f"{period * percent // 100} {period}"}),
        (
            Path("/sys/fs/cgroup/cpu"),
            {"cpu.cfs_period_us": str(period), "cpu.cfs_quota_us": str(period * percent // 100)},
        ),
    ):
        if not (root / next(iter(files))).exists():
            continue
        group = root / "climate-registry-bench-worker"
        try:
            group.mkdir(exist_ok=True)
            for name, value in files.items():
                (group / name).write_text(value)
            (group / "cgroup.procs").write_text(str(pid))
        except OSError:
            return False
        return True
    return False
