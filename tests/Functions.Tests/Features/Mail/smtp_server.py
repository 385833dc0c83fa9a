"""A real SMTP server for the mail tests: aiosmtpd (Debian's python3-aiosmtpd) with a handler
that saves every accepted message to a folder as <n>.eml plus <n>.json (envelope and session).

Usage: smtp_server.py FOLDER [--cert PEM --key PEM [--require-tls]] [--auth USER:PASSWORD]
Prints "READY <port>" once listening on 127.0.0.1; stops when stdin closes (the test ends).

Recipients steer the answers: transient*@… gets 451 at RCPT, reject*@… gets 550 at RCPT,
datafail*@… is accepted at RCPT and refused with 554 after DATA.
"""
import argparse
import json
import os
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class SavingHandler:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("transient"):
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        if local.startswith("reject"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(r.split("@")[0].lower().startswith("datafail") for r in envelope.rcpt_tos):
            return "554 5.6.0 Message content rejected"
        with self.lock:
            self.count += 1
            name = os.path.join(self.folder, str(self.count))
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "login": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            "peer_port": session.peer[1],
        }
        # Content first, metadata last (each renamed into place): a .json means the message is complete.
        write_atomically(name + ".eml", envelope.original_content)
        write_atomically(name + ".json", json.dumps(meta).encode())
        return "250 2.0.0 Message accepted for delivery"


def write_atomically(path, data):
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)


def authenticator_for(expected):
    user, password = expected.split(":", 1)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return authenticate


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--require-tls", action="store_true")
    parser.add_argument("--auth")
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)

    kwargs = {"hostname": "127.0.0.1", "port": free_port(), "server_hostname": "mail.test"}
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        kwargs.update(tls_context=context, require_starttls=args.require_tls)
    if args.auth:
        kwargs.update(authenticator=authenticator_for(args.auth), auth_required=True, auth_require_tls=bool(args.cert))

    controller = Controller(SavingHandler(args.folder), **kwargs)
    controller.start()
    print(f"READY {controller.port}", flush=True)
    sys.stdin.read()  # until the test closes our stdin or exits
    controller.stop()


if __name__ == "__main__":
    main()
