"""A real SMTP server for the tests (aiosmtpd), keeping what it receives in a Maildir.

    python checks/mail_server.py --maildir DIR [--port N] [--starttls] [--user NAME:PASSWORD]

With --starttls it makes a self-signed certificate for 127.0.0.1 (DIR/../mail-ca.pem, which
clients trust) and refuses mail before STARTTLS; with --user it refuses mail before AUTH with
that name and password. Recipients at `refused.invalid` are refused (550). Every message is stored with its envelope in `X-Envelope-From` and
`X-Envelope-To` headers. It prints `listening 127.0.0.1:PORT` once it accepts connections and
runs until it is sent SIGTERM.

Also importable: `MailServer` runs the same server inside a Python test.
"""

import argparse
import mailbox
import os
import signal
import socket
import ssl
import subprocess
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class _Store:
    def __init__(self, maildir):
        self.box = mailbox.Maildir(maildir, create=True)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - the aiosmtpd interface
        # Mailboxes at refused.invalid do not exist: a permanent refusal, as a real server gives.
        if address.endswith("@refused.invalid"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - the aiosmtpd interface
        head = f"X-Envelope-From: {envelope.mail_from}\r\nX-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n".encode()
        with self.lock:
            self.box.add(head + envelope.original_content)
        return "250 Message accepted for delivery"


def self_signed(directory):
    """A key and certificate for 127.0.0.1 and localhost, made with openssl; returns their paths."""
    key, cert = os.path.join(directory, "mail-key.pem"), os.path.join(directory, "mail-ca.pem")
    if not os.path.exists(cert):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            check=True, capture_output=True,
        )
    return key, cert


class MailServer:
    """aiosmtpd on 127.0.0.1:`port`, storing into `maildir`."""

    def __init__(self, maildir, port, starttls=False, user=None):
        self.maildir = maildir
        kwargs = {}
        if starttls:
            key, self.ca = self_signed(os.path.dirname(os.path.abspath(maildir)))
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.ca, key)
            kwargs.update(tls_context=context, require_starttls=True)
        if user:
            name, password = user.split(":", 1)

            def authenticator(server, session, envelope, mechanism, auth_data):
                ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == name and auth_data.password.decode() == password
                return AuthResult(success=ok, handled=False)

            kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=starttls)
        self.controller = Controller(_Store(maildir), hostname="127.0.0.1", port=port, **kwargs)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def messages(self):
        return [message for _, message in sorted(mailbox.Maildir(self.maildir, create=False).items(), key=lambda item: item[1].get_date())]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--port", type=int, default=2525, help="0 picks a free port")
    parser.add_argument("--starttls", action="store_true")
    parser.add_argument("--user")
    arguments = parser.parse_args()
    if arguments.port == 0:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            arguments.port = probe.getsockname()[1]
    # Blocked before the server's threads start, so that they inherit the mask and only
    # sigwait below receives the signal.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    server = MailServer(arguments.maildir, arguments.port, arguments.starttls, arguments.user).start()
    print(f"listening 127.0.0.1:{arguments.port}", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    server.stop()


if __name__ == "__main__":
    main()
