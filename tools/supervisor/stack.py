"""Start and stop careerpath's service processes; used by ``careerpath run``, the tests and the benchmark."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tools.embedded import free_port, wait_for_port

__all__ = ["CeleryProcess", "MailSinkProcess", "ServiceProcess", "Stack"]


@dataclass
class ServiceProcess:
    """One service (``careerpath serve NAME``) on its own port."""

    name: str
    port: int
    env: dict[str, str]
    log_path: Path | None = None
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def command(self) -> list[str]:
        return ["serve", self.name]

    def start(self) -> ServiceProcess:
        env = {**os.environ, **self.env, **({"CAREERPATH_PORT": str(self.port)} if self.port else {})}
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tools.cli", *self.command],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def wait_healthy(self, timeout: float = 60.0) -> None:
        assert self.proc is not None
        wait_for_port(self.port, timeout, self.proc)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"{self.name} did not become healthy")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class CeleryProcess(ServiceProcess):
    """``careerpath worker`` or ``careerpath beat`` (no port); a worker is ready once it answers a ping."""

    @property
    def command(self) -> list[str]:
        return [self.name]

    def wait_healthy(self, timeout: float = 60.0) -> None:
        from services.worker.main import wait_ready

        assert self.proc is not None
        wait_ready(self.name, self.proc, {**os.environ, **self.env}, timeout)


@dataclass
class MailSinkProcess(ServiceProcess):
    """``careerpath mail-sink``: a local SMTP server writing each mail to ``folder`` (ready once it
    listens)."""

    folder: Path = Path(".data/mail")

    @property
    def command(self) -> list[str]:
        return ["mail-sink", "--port", str(self.port), "--dir", str(self.folder)]

    @property
    def smtp_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def wait_healthy(self, timeout: float = 60.0) -> None:
        assert self.proc is not None
        wait_for_port(self.port, timeout, self.proc)


@dataclass
class Stack:
    """Profile, recommender and gateway wired together, plus (``with_worker``) a Celery worker and beat.

    Without ``CAREERPATH_SMTP_URL`` (in ``env`` or the environment) a local mail sink is started too and
    the profile service sends through it: the mails land in ``mail_dir`` (``<log_dir>/mail`` by default).
    The profile service's ``CAREERPATH_PUBLIC_URL`` (the address in the reset links) is the gateway's
    unless set."""

    env: dict[str, str]
    log_dir: Path | None = None
    gateway_port: int | None = None
    with_worker: bool = False
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    mail_dir: Path | None = None

    def _service(self, name: str, port: int, extra: dict[str, str] | None = None) -> ServiceProcess:
        log = self.log_dir / f"{name}.log" if self.log_dir else None
        return ServiceProcess(name, port, {**self.env, **(extra or {})}, log)

    def _mail_sink(self) -> MailSinkProcess | None:
        if self.env.get("CAREERPATH_SMTP_URL") or os.environ.get("CAREERPATH_SMTP_URL"):
            return None
        if self.mail_dir is None:
            base = self.log_dir or Path(tempfile.mkdtemp(prefix="careerpath-"))
            self.mail_dir = base / "mail"
        log = self.log_dir / "mail-sink.log" if self.log_dir else None
        return MailSinkProcess("mail-sink", free_port(), dict(self.env), log, folder=self.mail_dir)

    def start(self, timeout: float = 60.0) -> Stack:
        gateway_port = self.gateway_port or free_port()
        sink = self._mail_sink()
        mail = {"CAREERPATH_SMTP_URL": sink.smtp_url} if sink else {}
        if not (self.env.get("CAREERPATH_PUBLIC_URL") or os.environ.get("CAREERPATH_PUBLIC_URL")):
            mail["CAREERPATH_PUBLIC_URL"] = f"http://127.0.0.1:{gateway_port}"
        profile = self._service("profile", free_port(), mail)
        recommender = self._service("recommender", free_port())
        gateway = self._service(
            "gateway",
            gateway_port,
            {"CAREERPATH_PROFILE_URL": profile.url, "CAREERPATH_RECOMMENDER_URL": recommender.url},
        )
        self.services = {"profile": profile, "recommender": recommender, "gateway": gateway}
        if sink is not None:
            self.services = {"mail-sink": sink, **self.services}
        if self.with_worker:
            for name in ("worker", "beat"):
                log = self.log_dir / f"{name}.log" if self.log_dir else None
                # the worker records runs through the profile service, which owns them
                env = {**self.env, "CAREERPATH_PROFILE_URL": profile.url}
                self.services[name] = CeleryProcess(name, 0, env, log)
        try:
            for service in self.services.values():
                service.start()
            for service in self.services.values():
                service.wait_healthy(timeout)
        except BaseException:
            self.stop()  # never leave half a stack running
            raise
        return self

    @property
    def url(self) -> str:
        return self.services["gateway"].url

    def stop(self) -> None:
        for service in reversed(list(self.services.values())):
            service.stop()
