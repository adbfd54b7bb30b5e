"""A throwaway PostgreSQL server for the tests and the benchmarks.

The distribution's own binaries (Debian: package ``postgresql``, in
/usr/lib/postgresql/NN/bin) run ``initdb`` in a temporary folder and the server listens
on 127.0.0.1 at a free port and on a socket in that folder. PostgreSQL refuses to run as
root, so under root (CI) the server runs as the system user ``safecredit-test`` (made
with useradd when missing). ``stop`` ends it and removes the folder; the pytest session
fixture calls it even when tests fail.

Roles made: ``safecredit_owner`` (owns the databases and runs the migrations) and
``safecredit_app`` (DML only, through default privileges), as README's server page
sets them up; ``safecredit_pw`` needs a password (scram) to test asking for one. Every
other connection from 127.0.0.1 is trusted: the server lives only for the test run.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TEST_USER = "safecredit-test"
OWNER = "safecredit_owner"
APP = "safecredit_app"
PASSWORD_USER = "safecredit_pw"
PASSWORD = "pw-for-tests-only"


def binaries() -> Path | None:
    """The newest installed server's bin folder, or None."""
    root = Path("/usr/lib/postgresql")
    found = sorted(
        (p / "bin" for p in root.glob("*") if (p / "bin" / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_as() -> str | None:
    """The user to run the server as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(TEST_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TEST_USER],
            check=True,
        )
    return TEST_USER


def _die_with_parent() -> None:
    """The server ends when the test run does, even one killed without its finalizers
    (Linux: PR_SET_PDEATHSIG)."""
    with contextlib.suppress(Exception):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGTERM))


@dataclass
class Server:
    folder: Path
    port: int
    bin: Path
    user: str | None
    process: subprocess.Popen[bytes] | None = None

    def url(self, database: str, role: str = OWNER) -> str:
        return f"postgresql://{role}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres", role: str = "postgres") -> str:
        result = subprocess.run(
            [
                str(self.bin / "psql"),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                role,
                "-d",
                database,
                "-At",
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PGPASSWORD": ""},
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr}")
        return result.stdout

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            # fast shutdown (SIGINT): a connection a failed test left open does not hold
            # it up, as the smart one (SIGTERM) would until the timeout
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl, which Debian's postgresql
    package brings through ssl-cert): (certificate, key)."""
    cert, key = folder / "server.crt", folder / "server.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    key.chmod(0o600)
    return cert, key


def start(*, tls: bool = False) -> Server:
    """initdb, start, make the roles; the caller must call ``stop``. ``tls``: the
    server also offers TLS, with a self-signed certificate (``folder / server.crt``)."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    user = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="safecredit-pg-"))
    data = folder / "data"
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    os.chmod(folder, 0o700)
    hba = folder / "hba.conf"
    try:
        subprocess.run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            user=user,
        )
        hba.write_text(
            f"local all all trust\nhost all {PASSWORD_USER} 127.0.0.1/32 scram-sha-256\n"
            "host all all 127.0.0.1/32 trust\n",
            encoding="utf-8",
        )
        if user is not None:
            os.chown(hba, pwd.getpwnam(user).pw_uid, -1)
        extra: list[str] = []
        if tls:
            cert, key = make_certificate(folder)
            if user is not None:
                for made in (cert, key):
                    os.chown(made, pwd.getpwnam(user).pw_uid, -1)
            extra = ["-c", "ssl=on", "-c", f"ssl_cert_file={cert}", "-c", f"ssl_key_file={key}"]
        port = _free_port()
        log = (folder / "server.log").open("wb")
        process = subprocess.Popen(
            [
                str(bin_dir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={folder}",
                "-c",
                f"hba_file={hba}",
                "-c",
                "fsync=off",  # a throwaway server: durability is SQLite's tests' business
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=60",
                "-c",
                "shared_buffers=64MB",
                *extra,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            user=user,
            preexec_fn=_die_with_parent,
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    server = Server(folder, port, bin_dir, user, process)
    try:
        _wait_ready(server)
        server.psql(
            f"CREATE ROLE {OWNER} LOGIN CREATEDB; CREATE ROLE {APP} LOGIN;"
            f" CREATE ROLE {PASSWORD_USER} LOGIN PASSWORD '{PASSWORD}';"
            f" GRANT {APP} TO {PASSWORD_USER};"
        )
    except BaseException:
        server.stop()
        raise
    return server


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + 60
    while True:
        if server.process is not None and server.process.poll() is not None:
            log = (server.folder / "server.log").read_text(errors="replace")
            raise RuntimeError(f"PostgreSQL did not start:\n{log}")
        result = subprocess.run(
            [str(server.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(server.port)],
            capture_output=True,
        )
        if result.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError("PostgreSQL did not become ready in 60 s")
        time.sleep(0.1)


def make_database(server: Server, name: str, *, template: str | None = None) -> None:
    """An empty database owned by the owner role, the app role given DML on what the
    owner makes (README's setup), with C collation like the SQLite file's."""
    source = f" TEMPLATE {template}" if template else " TEMPLATE template0"
    server.psql(
        f"CREATE DATABASE {name} OWNER {OWNER}{source} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
    )
    if template is None:
        server.psql(
            f"REVOKE ALL ON SCHEMA public FROM PUBLIC; GRANT ALL ON SCHEMA public TO {OWNER};"
            f" GRANT USAGE ON SCHEMA public TO {APP};"
            f" ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} IN SCHEMA public"
            f" GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO {APP};"
            f" ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER} IN SCHEMA public"
            f" GRANT EXECUTE ON FUNCTIONS TO {APP};",
            database=name,
        )


def drop_database(server: Server, name: str) -> None:
    with contextlib.suppress(RuntimeError):
        server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
