"""
A server for the real AWS CLI (Debian's awscli v2), so the rehearsal's thousands of `aws` calls do
not each pay for Python importing the CLI, spawning `lsb_release` for the user agent and parsing the
same service models. It imports awscli once and warms those caches, then forks a few workers. A
worker serves one call after another: it takes the caller's argv, environment, working directory and
standard streams (passed over a Unix socket), runs the CLI's own entry point
(awscli.clidriver.AWSCLIEntryPoint) as /usr/bin/aws does, which makes a new driver and session for
the call, so no session state (region, credentials, profile, handlers) passes between calls; it
sends back the exit code. The CLI code that runs is the installed package's, unchanged. Only the
parsed data files, the imported modules and one SSL context are shared.

Why workers that live for many calls, not a fork per call: CPython writes to every object it reads
(reference counts), so a child forked from the warmed parent copied about 1,700 pages a call, and
on the virtual machines the tests run on each copy-on-write fault costs tens of microseconds in the
kernel: more than the call's own work. A worker pays for those copies once.

    aws-forkserver.py SOCKET      # serves until killed; aws-forkclient.c calls it. Start it with
                                  # the environment its callers share (AWS_DATA_PATH, AWS_CONFIG_FILE, ...).
"""
import array
import gc
import os
import signal
import socket
import sys
import types

if os.environ.get('LC_CTYPE', '') == 'UTF-8':
    os.environ['LC_CTYPE'] = 'en_US.UTF-8'

import awscli  # noqa: E402
import awscli.alias  # noqa: E402
import awscli.clidriver  # noqa: E402  (what /usr/bin/aws imports)
import awscli.handlers  # noqa: E402,F401  (the plugins every driver loads)
# Debian's awscli vendors botocore as the top-level package `botocore` (awscli/botocore on disk).
from botocore import loaders  # noqa: E402

# The user agent's distribution (distro runs `lsb_release -a`, a Python program, on every call).
awscli.clidriver._get_linux_distribution()

# What the CLI reads from its data folders: parsed once here; each child gets its own copy-on-write
# copy. botocore's Loader caches its answers per instance (its `instance_cache`: the services listed,
# the latest API versions, the models), and every call makes a new session with a new Loader, which
# walked the ~300 service folders again (about 0.1 s a call). Loaders that search the same folders
# share one cache here; the folders do not change while the server runs.
_parsed = {}
_load_file = loaders.JSONFileLoader.load_file


def _cached_load_file(self, file_path):
    if file_path not in _parsed:
        _parsed[file_path] = _load_file(self, file_path)
    return _parsed[file_path]


loaders.JSONFileLoader.load_file = _cached_load_file

_loader_caches = {}
_loader_init = loaders.Loader.__init__


def _shared_cache_init(self, *args, **kwargs):
    _loader_init(self, *args, **kwargs)
    # Folders that do not exist hold nothing (the loader skips them), so they do not split the cache: the
    # ~/.aws/models of each job's own HOME, say.
    searched = tuple(p for p in self._search_paths if os.path.isdir(p))
    self._cache = _loader_caches.setdefault((searched, tuple(self._extras_types)), self._cache)


loaders.Loader.__init__ = _shared_cache_init

# Every client's HTTP session makes an SSL context (about 6 ms of OpenSSL's set-up each, three a
# call: the client's and the credential providers' metadata fetchers), although the stand-in is
# plain HTTP. One made here with the same call serves them all: each child has its own copy.
from botocore import httpsession  # noqa: E402

_ssl_context = httpsession.create_urllib3_context()
httpsession.URLLib3Session._get_ssl_context = lambda self: _ssl_context


# Two things that every call does tens of thousands of times, answered faster with the same results
# (profiled over a first deploy, they were a third of a call's Python time):
# - botocore checks that each event handler it registers takes **kwargs (about 350 handlers a call,
#   each through inspect.getfullargspec). Whether a function does never changes: asked once per function.
# - The CLI copies os.environ for each operation of the service it builds a command table for (an
#   OutputStreamFactory each, about 80 a call), decoding every name and value each time. The decoded
#   copy is kept until os.environ changes (every change goes through its __setitem__/__delitem__).
from botocore import compat as _compat, hooks as _hooks  # noqa: E402

_accepts_kwargs = _compat.accepts_kwargs
_kwargs_answers = {}


def _cached_accepts_kwargs(func):
    target = getattr(func, '__func__', func)  # a bound method: its function's signature decides
    if not isinstance(target, types.FunctionType):
        return _accepts_kwargs(func)  # a partial or a callable object: its state may matter
    if target not in _kwargs_answers:
        _kwargs_answers[target] = _accepts_kwargs(func)
    return _kwargs_answers[target]


_compat.accepts_kwargs = _hooks.accepts_kwargs = _cached_accepts_kwargs

_environ_copies = {}
_environ_set, _environ_del = os._Environ.__setitem__, os._Environ.__delitem__


def _environ_changed(change):
    def changed(self, *args):
        _environ_copies.pop(id(self), None)
        return change(self, *args)
    return changed


def _environ_copy(self):
    decoded = _environ_copies.get(id(self))
    if decoded is None:
        decoded = _environ_copies[id(self)] = {self.decodekey(key): self.decodevalue(value) for key, value in self._data.items()}
    return dict(decoded)


os._Environ.__setitem__ = _environ_changed(_environ_set)
os._Environ.__delitem__ = _environ_changed(_environ_del)
os._Environ.copy = _environ_copy


def _data_path(extra):
    """AWS_DATA_PATH as awscli/__init__.py leaves it for a caller whose own is `extra`: the CLI's data comes last."""
    paths = [os.path.expanduser(os.path.expandvars(p)) for p in extra.split(os.pathsep) if p]
    return os.pathsep.join(paths + [os.path.join(os.path.dirname(os.path.abspath(awscli.__file__)), 'data')])


# The services the generated workflows and the rehearsal call.
_SERVICES = ('cloudformation', 'ssm', 'sts', 's3', 'ec2', 'route53', 'rds', 'sns', 'iam', 'elbv2', 'autoscaling', 'secretsmanager', 'kms')


def _warm(data_path):
    """Loads, with the loader a call whose AWS_DATA_PATH is `data_path` will build, what the calls read."""
    warm = loaders.create_loader(data_path)
    for type_name in ('service-2', 'paginators-1', 'waiters-2'):
        warm.list_available_services(type_name)
    for service in _SERVICES + ('sso', 'sso-oidc'):
        for type_name in ('service-2', 'paginators-1', 'waiters-2', 'endpoint-rule-set-1'):
            try:
                warm.load_service_model(service, type_name)
            except Exception:
                pass
    for name in ('endpoints', 'partitions', '_retry', 'sdk-default-configuration'):
        try:
            warm.load_data(name)
        except Exception:
            pass


def _warm_driver():
    """Makes a driver and its tables once, so the modules the CLI imports on first use are imported here."""
    driver = awscli.clidriver.create_clidriver()
    commands = driver._get_command_table()
    driver._get_argument_table()
    driver._get_cli_data()
    for service in _SERVICES:
        if service in commands:
            commands[service].subcommand_table


def _receive(connection):
    """The request (aws-forkclient.c's): the caller's directory, argv and environment, and its three standard streams."""
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
    fields = [os.fsdecode(field) for field in body.split(b'\0')[:-1]]
    count = int(fields[1])
    argv, variables = fields[2:2 + count], fields[2 + count:]
    env = dict(variable.split('=', 1) for variable in variables if '=' in variable)
    return {'cwd': fields[0], 'argv': argv, 'env': env}, list(fds)


def _serve_one(connection):
    """Runs one call with the caller's streams as 0, 1 and 2; returns its exit code."""
    request, fds = _receive(connection)
    for target, fd in enumerate(fds[:3]):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request['cwd'])
    os.environ.clear()
    os.environ.update(request['env'])
    os.environ['AWS_DATA_PATH'] = _data_path(os.environ.get('AWS_DATA_PATH', ''))
    if os.environ.get('LC_CTYPE', '') == 'UTF-8':
        os.environ['LC_CTYPE'] = 'en_US.UTF-8'
    # Paths the CLI's modules expand from HOME when they are imported, as a fresh CLI would for this caller.
    home = os.path.expanduser('~')
    loaders.Loader.CUSTOMER_DATA_PATH = os.path.join(home, '.aws', 'models')
    awscli.alias.AliasLoader.__init__.__defaults__ = (os.path.join(home, '.aws', 'cli', 'alias'),)
    sys.argv = ['aws'] + request['argv']
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the CLI may wait for processes of its own
    signal.signal(signal.SIGINT, signal.default_int_handler)
    crashed = False
    try:
        code = awscli.clidriver.main()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # the CLI's own handlers print its errors; this is a crash of the CLI itself
        import traceback
        traceback.print_exc()
        code, crashed = 255, True
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    # The caller's pipes must see their end when the caller exits: this process lets go of them
    # before it answers.
    for target in range(3):
        os.dup2(_devnull, target)
    connection.sendall(int(code or 0).to_bytes(4, 'big', signed=True))
    return crashed


# Workers serving calls at once (the rehearsal runs a few sources side by side, each one call at a
# time), and how many calls a worker serves before a fresh one (forked from the warmed parent) takes
# its place, so that what calls leave behind in memory stays bounded.
_WORKERS = 4
_CALLS_PER_WORKER = 250
_devnull = os.open(os.devnull, os.O_RDWR)


def main():
    path = sys.argv[1]
    # Started with the callers' settings (AWS_DATA_PATH: the rehearsal's own models, such as its S3
    # endpoint rules, to which importing awscli appended its own), so the loader and the driver made
    # here are the ones their calls would make.
    _warm(os.environ['AWS_DATA_PATH'])
    _warm_driver()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    _die_with_parent()  # the rehearsal's end (or crash) ends the server
    sys.stdout.write('ready\n')
    sys.stdout.flush()
    # What the parent holds is never collected: frozen, the workers' collections do not walk (and
    # so write to, copying page after page of) the warmed caches.
    gc.freeze()
    # Each worker waits in accept(); when one has served its calls it says so and ends, and the
    # server forks its replacement.
    ended, end = os.pipe()
    for _ in range(_WORKERS):
        _fork_worker(server, end)
    while True:
        if os.read(ended, 1):
            _fork_worker(server, end)


def _die_with_parent():
    """Asks the kernel to end this process when its parent ends (prctl PR_SET_PDEATHSIG)."""
    import ctypes
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _fork_worker(server, end):
    if os.fork() != 0:
        return
    try:
        _die_with_parent()
        for _ in range(_CALLS_PER_WORKER):
            connection, _ = server.accept()
            try:
                if _serve_one(connection):
                    break  # a crash of the CLI may have left anything behind: a fresh worker goes on
            except Exception:
                break  # the caller went away mid-call (a cancelled step): start afresh
            finally:
                connection.close()
    finally:
        os.write(end, b'.')
        os._exit(0)


if __name__ == '__main__':
    main()
