"""A throwaway Dovecot IMAP server on 127.0.0.1 for tests; works as root and as non-root.

The server reads only the config written into its own temp dir (never /etc/dovecot, never
/run/dovecot). As root, mail files belong to the `dovecot` user, because Dovecot refuses mail
access as uid/gid 0. Failed logins are not delayed (tests use wrong passwords on purpose).
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time

CONF = """\
# test instance: nothing here reads /etc/dovecot
base_dir = {d}/run
state_dir = {d}/state
instance_name = maild-test-{port}
log_path = /dev/stderr
info_log_path = /dev/stderr
protocols = imap
listen = 127.0.0.1
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_uid = {uid}
mail_gid = {gid}
mail_location = maildir:~/Maildir
disable_plaintext_auth = no
auth_mechanisms = {mechanisms}
{ssl}
{extra}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Archive {{
    auto = create
  }}
  mailbox Trash {{
    auto = create
    special_use = \\Trash
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = home={d}/mail/%d/%n
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
# tests use wrong passwords on purpose: no failure delay, no per-IP auth penalty
auth_failure_delay = 0
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_greeting(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"dovecot not answering on 127.0.0.1:{port}")
        time.sleep(0.02)


def _write(path: str, text: str, mode: int = 0o644) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)


class Dovecot:
    """One Dovecot instance: `start()`, `stop()` (and `start()` again: same ports, same mail),
    `cleanup()`. `extra` is appended to the config (e.g. an `imap_capability` override)."""

    def __init__(
        self,
        users: dict[str, str],
        cert_pem: str | None = None,
        key_pem: str | None = None,
        extra: str = "",
        mechanisms: str = "plain login xoauth2",
    ) -> None:
        self.dir = tempfile.mkdtemp(prefix="maild-dovecot-")
        os.chmod(self.dir, 0o755)  # the auth process runs as default_internal_user, reads ./users
        self.port = free_port()
        self.tls_port = free_port() if cert_pem else 0  # port 0 = listener off
        if os.geteuid() == 0:
            pw = pwd.getpwnam("dovecot")
            internal, login = "dovecot", "dovenull"
        else:
            pw = pwd.getpwuid(os.getuid())
            internal = login = pw.pw_name
        self._mail_owner = (pw.pw_uid, pw.pw_gid) if os.geteuid() == 0 else None
        ssl = "ssl = no"
        if cert_pem and key_pem:
            _write(f"{self.dir}/cert.pem", cert_pem)
            _write(f"{self.dir}/key.pem", key_pem, 0o600)
            ssl = f"ssl = yes\nssl_cert = <{self.dir}/cert.pem\nssl_key = <{self.dir}/key.pem"
        self.set_users(users)
        os.makedirs(f"{self.dir}/mail")
        if self._mail_owner:
            os.chown(f"{self.dir}/mail", *self._mail_owner)
        self.conf = f"{self.dir}/dovecot.conf"
        _write(
            self.conf,
            CONF.format(
                d=self.dir,
                port=self.port,
                tls_port=self.tls_port,
                internal=internal,
                login=login,
                group=grp.getgrgid(pw.pw_gid).gr_name,
                uid=pw.pw_uid,
                gid=pw.pw_gid,
                ssl=ssl,
                extra=extra,
                mechanisms=mechanisms,
            ),
        )
        self.logfile = f"{self.dir}/dovecot.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def set_users(self, users: dict[str, str]) -> None:
        """(Re)write the password file; Dovecot reads it again on the next login."""
        _write(f"{self.dir}/users", "".join(f"{u}:{{PLAIN}}{p}::::\n" for u, p in users.items()))

    def start(self) -> float:
        t = time.monotonic()
        with open(self.logfile, "ab") as log:
            self.proc = subprocess.Popen(
                [shutil.which("dovecot") or "/usr/sbin/dovecot", "-F", "-c", self.conf],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() ends every child
            )
        try:
            wait_greeting(self.port)
        except Exception:
            self.stop()
            with open(self.logfile, encoding="utf-8", errors="replace") as f:
                print(f.read())
            raise
        return time.monotonic() - t

    def stop(self) -> float:
        """Stop the master and every process it started. Dovecot's own shutdown leaves imap
        processes serving open connections for a while; a test that stops the server wants
        those connections gone too."""
        t = time.monotonic()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return time.monotonic() - t

    def log(self) -> str:
        with open(self.logfile, encoding="utf-8", errors="replace") as f:
            return f.read()

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
