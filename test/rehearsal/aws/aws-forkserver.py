"""
A fork server for the real AWS CLI (Debian's awscli v2), so the rehearsal's thousands of `aws` calls
do not each pay for Python importing the CLI, spawning `lsb_release` for the user agent and parsing
the same service models. It imports awscli once and warms those caches, then forks one child per
call: the child takes the caller's argv, environment, working directory and standard streams (passed
over a Unix socket), runs the CLI's own entry point (awscli.clidriver.main, as /usr/bin/aws does)
and sends back its exit code. The CLI code that runs is the installed package's, unchanged; each
call starts from the warmed parent, so no state passes between calls.

    python3 aws-forkserver.py SOCKET      # serves until killed; aws-forkclient.py calls it
"""
import array
import json
import os
import signal
import socket
import sys

if os.environ.get('LC_CTYPE', '') == 'UTF-8':
    os.environ['LC_CTYPE'] = 'en_US.UTF-8'

import awscli  # noqa: E402
import awscli.clidriver  # noqa: E402  (what /usr/bin/aws imports)
import awscli.handlers  # noqa: E402,F401  (the plugins every driver loads)
# Debian's awscli vendors botocore as the top-level package `botocore` (awscli/botocore on disk).
from botocore import loaders  # noqa: E402

# The user agent's distribution (distro runs `lsb_release -a`, a Python program, on every call).
awscli.clidriver._get_linux_distribution()

# The JSON models: parsed once here; each child gets its own copy-on-write copy.
_parsed = {}
_load_file = loaders.JSONFileLoader.load_file


def _cached_load_file(self, file_path):
    if file_path not in _parsed:
        _parsed[file_path] = _load_file(self, file_path)
    return _parsed[file_path]


loaders.JSONFileLoader.load_file = _cached_load_file
_warm = loaders.create_loader()
for service in ('cloudformation', 'ssm', 'sts', 's3', 'ec2', 'route53', 'rds', 'sns', 'iam', 'elbv2'):
    try:
        _warm.load_service_model(service, 'service-2')
        _warm.load_service_model(service, 'paginators-1')
        _warm.load_service_model(service, 'waiters-2')
    except Exception:
        pass
for name in ('endpoints', 'partitions', '_retry', 'sdk-default-configuration'):
    try:
        _warm.load_data(name)
    except Exception:
        pass


def _receive(connection):
    """The request: a length-prefixed JSON header and the caller's three standard streams."""
    fds = array.array('i')
    data, ancillary, _, _ = connection.recvmsg(1 << 20, socket.CMSG_LEN(3 * fds.itemsize))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[:len(payload) - (len(payload) % fds.itemsize)])
    size = int.from_bytes(data[:4], 'big')
    body = data[4:]
    while len(body) < size:
        more = connection.recv(size - len(body))
        if not more:
            raise EOFError('the client went away')
        body += more
    return json.loads(body), list(fds)


def _serve_one(connection):
    request, fds = _receive(connection)
    for target, fd in enumerate(fds[:3]):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request['cwd'])
    os.environ.clear()
    os.environ.update(request['env'])
    # What awscli/__init__.py does at import with the caller's AWS_DATA_PATH: its own data comes last.
    paths = [os.path.expanduser(os.path.expandvars(p)) for p in os.environ.get('AWS_DATA_PATH', '').split(os.pathsep) if p]
    os.environ['AWS_DATA_PATH'] = os.pathsep.join(paths + [os.path.join(os.path.dirname(os.path.abspath(awscli.__file__)), 'data')])
    if os.environ.get('LC_CTYPE', '') == 'UTF-8':
        os.environ['LC_CTYPE'] = 'en_US.UTF-8'
    sys.argv = ['aws'] + request['argv']
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the CLI may wait for processes of its own
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        code = awscli.clidriver.main()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # the CLI's own handlers print its errors; this is a crash of the CLI itself
        import traceback
        traceback.print_exc()
        code = 255
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    connection.sendall(int(code or 0).to_bytes(4, 'big', signed=True))


def main():
    path = sys.argv[1]
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    sys.stdout.write('ready\n')
    sys.stdout.flush()
    while True:
        connection, _ = server.accept()
        if os.fork() == 0:
            server.close()
            try:
                _serve_one(connection)
            finally:
                os._exit(0)
        connection.close()


if __name__ == '__main__':
    main()
