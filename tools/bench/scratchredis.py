"""A redis-server of a harness's own (AOF on, as Confab's Redis runs), and what the Redis
harnesses in tools/bench share: the accept script as confabd compiles it in, RESP encoding, and
INFO commandstats."""
import contextlib
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS_CPP = os.path.join(HERE, '..', '..', 'server', 'messaging', 'scripts.cpp')


def lua_script(name, path=SCRIPTS_CPP):
    """A script's Lua (kAccept, kPresenceUp, ...) from a C++ file (server/messaging/scripts.cpp or
    an edited copy)."""
    found = re.search(r'constexpr char %s\[\] = R"LUA\((.*?)\)LUA";' % name, open(path).read(), re.S)
    if not found:
        sys.exit('no %s in %s' % (name, path))
    return found.group(1)


def accept_script(path=SCRIPTS_CPP):
    """kAccept's Lua from a C++ file (server/messaging/scripts.cpp or an edited copy)."""
    return lua_script('kAccept', path)


def resp(args):
    out = [b'*%d\r\n' % len(args)]
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out.append(b'$%d\r\n%s\r\n' % (len(a), a))
    return b''.join(out)


def accept_call(app, convo, messages, window_ms, slot, per_min=0, per_s=0, defer=False, user_buckets=()):
    """KEYS and ARGV of one accept call, as messaging::acceptCall lays them out on one Redis.
    messages: (envelope head up to "seq_no":, envelope tail, ts, client_msg_id, force) each;
    user_buckets: each message's user bucket key, given with a user limit."""
    tag = '{%s:%s}' % (app, convo)
    keys = ['confab:%s:seq' % tag, 'confab:%s:log' % tag, 'confab:%s:dedup' % tag,
            'confab:{s%d}:pending' % slot, 'confab:{s%d}:recovered' % slot,
            'confab:%s:bucket' % app, 'confab:dirty'] + list(user_buckets)
    argv = ['confab:%s:ch' % tag, 'd' if defer else '', str(max(1, window_ms // 2)), '%s %s' % (app, convo),
            str(per_min), str(per_s), str(slot), str(len(messages))]
    for head, tail, ts, cmid, force in messages:
        argv += [head, tail, ts, hashlib.sha256(cmid.encode()).digest()[:8], '"client_msg_id":"%s"' % cmid,
                 '1' if force else '0']
    return keys, argv


def commandstats(info, skip=('config|resetstat', 'echo', 'info')):
    """{command: (calls, usec)} from INFO commandstats' text."""
    stats = {}
    for line in info.splitlines():
        m = re.match(r'cmdstat_([\w|.]+):calls=(\d+),usec=(\d+)', line)
        if m and m.group(1) not in skip:
            stats[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return stats


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Redis:
    """pid; port (TCP on 127.0.0.1) or sock (a Unix socket path, port 0)."""

    def __init__(self, process, port, sock):
        self.process, self.pid, self.port, self.sock = process, process.pid, port, sock

    def cli(self, *args, stdin=None):
        where = ['-s', self.sock] if self.sock else ['-p', str(self.port)]
        return subprocess.run(['redis-cli'] + where + list(args), input=stdin, capture_output=True).stdout.decode()


@contextlib.contextmanager
def scratch_redis(cpu=None, unix=False, extra=(), work=None):
    """Starts the server (pinned to cpu with taskset when given, with `extra` arguments such as
    --loadmodule), waits for PING, and on leaving stops it and removes its directory (unless
    `work`, a directory of the caller's, was given)."""
    own = work is None
    work = work or tempfile.mkdtemp(prefix='scratch-redis.')
    sock = os.path.join(work, 'redis.sock') if unix else None
    port = 0 if unix else _free_port()
    cmd = ['redis-server', '--port', str(port), '--dir', work, '--appendonly', 'yes', '--save', '',
           '--loglevel', 'warning', '--logfile', os.path.join(work, 'redis.log')] + list(extra)
    cmd += ['--unixsocket', sock] if unix else ['--bind', '127.0.0.1']
    if cpu is not None:
        cmd = ['taskset', '-c', str(cpu)] + cmd
    redis = Redis(subprocess.Popen(cmd), port, sock)
    try:
        for _ in range(100):
            if (not unix or os.path.exists(sock)) and redis.cli('PING').strip() == 'PONG':
                break
            time.sleep(0.05)
        yield redis
    finally:
        redis.process.terminate()
        redis.process.wait()
        if own:
            shutil.rmtree(work, ignore_errors=True)
