#!/usr/bin/env python3
"""CONFAB.ACCEPT (server/redismodule) answers, writes and publishes what the accept script does.

Runs one sequence of accept calls on two scratch Redis servers, one through EVALSHA of kAccept
(server/messaging/scripts.cpp) and one through the module, then compares every reply and every
key (type, value, expiry within a second). Then it restarts a plain Redis, without the module, on
the module server's AOF, and compares again: the module writes its effects to the AOF as plain
commands. The sequence covers shard splits, resends (duplicates with and without the envelope),
forced accepts, rate limits, a deferred publish and a slot whose recovery has not run.

    python3 tests/redismodule/tst_acceptmodule.py --module build/server/redismodule/confab-redis.so

Exits 1 on any difference. Its own scratch redis-servers (tools/bench/scratchredis.py); no timing.
"""
import argparse
import hashlib
import os
import socket
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tools', 'bench'))
from scratchredis import accept_script, resp, scratch_redis  # noqa: E402


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(('127.0.0.1', port))
        self.f = self.s.makefile('rb')

    def call(self, *args):
        self.s.sendall(resp([a if isinstance(a, bytes) else str(a) for a in args]))
        return self.read()

    def read(self):
        line = self.f.readline()[:-2]
        kind, rest = line[:1], line[1:]
        if kind == b'+':
            return rest
        if kind == b'-':
            return ('error', rest)
        if kind == b':':
            return int(rest)
        if kind == b'$':
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data
        if kind == b'*':
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ValueError(line)


def calls(window_ms):
    app, slot = 'app_01cmp', 77
    sent = 0
    seq_ids = {}
    out = []

    def one(convo, ids, per_min=0, per_s=0, defer=False, force=()):
        tag = '{%s:%s}' % (app, convo)
        keys = ['confab:%s:seq' % tag, 'confab:%s:log' % tag, 'confab:%s:dedup' % tag,
                'confab:{s%d}:pending' % slot, 'confab:{s%d}:recovered' % slot,
                'confab:%s:bucket' % app, 'confab:dirty']
        if per_min:
            keys += ['confab:%s:user:%s:bucket' % (app, i.split('-')[0]) for i in ids]
        argv = ['confab:%s:ch' % tag, 'd' if defer else '', str(max(1, window_ms // 2)), '%s %s' % (app, convo),
                str(per_min), str(per_s), str(slot), str(len(ids))]
        for cmid in ids:
            head = '{"id":"01CMP%s","convo_id":"%s","client_msg_id":"%s","seq_no":' % (cmid, convo, cmid)
            tail = ',"ts":1764820000000,"kind":"text","content":{"text":"%s"}}' % ('y' * 40)
            argv += [head, tail, '1764820000000', hashlib.sha256(cmid.encode()).digest()[:8],
                     '"client_msg_id":"%s"' % cmid, '1' if cmid in force else '0']
        out.append((keys, argv))

    one('c0', ['u1-a'])  # recovered missing: {2, 0}
    out.append('RECOVER')
    for c in range(3):
        for b in range(300):
            ids = ['u%d-%d-%d-%d' % (c, c, b, k) for k in range(1 + (b % 5))]
            one('c%d' % c, ids, defer=(b % 7 == 0))
            sent += len(ids)
    # Resends: duplicates found with their envelope, and one forced (a proven collision).
    one('c1', ['u1-1-5-0', 'u1-1-5-1', 'new-x', 'u1-1-200-0'])
    one('c2', ['u2-2-9-0'], force=('u2-2-9-0',))
    # Rate limits: a user with 3 a minute, then the app's bucket.
    one('c9', ['lim-%d' % k for k in range(5)], per_min=3)
    one('c9', ['lim2-%d' % k for k in range(4)], per_s=2)
    # The tail trimmed below a stored seq: the duplicate comes back without its envelope.
    out.append('TRIM')
    one('c0', ['u0-0-3-0'])
    return out, seq_ids


def dump(conn):
    state = {}
    for k in sorted(conn.call('KEYS', '*')):
        t = conn.call('TYPE', k)
        if t == b'string':
            v = conn.call('GET', k)
        elif t == b'hash':
            v = sorted(zip(*[iter(conn.call('HGETALL', k))] * 2))
            if k.endswith(b':bucket'):  # a bucket's 'ts' is the clock of the call
                v = [(f, b'<now>' if f == b'ts' else x) for f, x in v]
        elif t == b'stream':
            v = conn.call('XRANGE', k, '-', '+')
        elif t == b'zset':
            v = conn.call('ZRANGE', k, 0, -1, 'WITHSCORES')
        elif t == b'set':
            v = sorted(conn.call('SMEMBERS', k))
        else:
            v = t
        ttl = conn.call('PTTL', k)
        state[k] = (t, v, ttl)
    return state


CHANNELS = ['confab:{app_01cmp:c%d}:ch' % c for c in (0, 1, 2, 9)]


def published(sub, conn):
    """What `sub` (SSUBSCRIBEd to CHANNELS) received, up to a PING sent through the same pipe."""
    sub.s.sendall(resp(['PING', 'end']))
    got = []
    while True:
        m = sub.read()
        if m == [b'pong', b'end']:
            return got
        got.append(m)


def same_key(a, b):
    """Type and value equal, and the expiry too within the seconds between the two runs."""
    if a is None or b is None:
        return a is b
    (ta, va, ea), (tb, vb, eb) = a, b
    return ta == tb and va == vb and (ea < 0) == (eb < 0) and abs(ea - eb) <= 5000


def run(conn, seq, invoke):
    replies = []
    for item in seq:
        if item == 'RECOVER':
            conn.call('SET', 'confab:{s77}:recovered', '1')
        elif item == 'TRIM':
            conn.call('XTRIM', 'confab:{app_01cmp:c0}:log', 'MINID', '100-0')
        else:
            keys, argv = item
            replies.append(invoke(conn, keys, argv))
    return replies


def checks_of_its_own(conn):
    """Cluster key positions (what COMMAND GETKEYS asks the module), and bad calls answered with
    an error, the server still up. Returns the number of failures."""
    keys, argv = calls(60000)[0][0]
    # Keys of their own: the AOF replay below compares the sequence's keys.
    keys = [k.replace('app_01cmp', 'app_01own') for k in keys]
    bad = 0
    got = conn.call('COMMAND', 'GETKEYS', 'CONFAB.ACCEPT', len(keys), *keys, *argv)
    if got != [k.encode() for k in keys]:
        bad += 1
        print('COMMAND GETKEYS answered %r' % (got,))
    wrong = [('CONFAB.ACCEPT',), ('CONFAB.ACCEPT', 'x'), ('CONFAB.ACCEPT', 2, 'a', 'b'),
             ('CONFAB.ACCEPT', 99, *keys, *argv), ('CONFAB.ACCEPT', len(keys), *keys, *argv[:-1]),
             ('CONFAB.ACCEPT', len(keys), *keys, *argv[:7], '2', *argv[8:])]
    conn.call('SET', keys[4], '1')
    conn.call('SET', keys[1], 'not a stream')
    wrong.append(('CONFAB.ACCEPT', len(keys), *keys, *argv))
    for args in wrong:
        got = conn.call(*args)
        if not (isinstance(got, tuple) and got[0] == 'error'):
            bad += 1
            print('%.80r answered %.200r, not an error' % (args, got))
    if conn.call('PING') != b'PONG':
        bad += 1
        print('no PONG after the bad calls')
    return bad


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--module', required=True, help='the built confab-redis.so')
    p.add_argument('--window-ms', type=int, default=3600000)
    a = p.parse_args()
    seq, _ = calls(a.window_ms)
    script = accept_script()
    with scratch_redis() as lua:
        c = Conn(lua.port)
        sha = c.call('SCRIPT', 'LOAD', script).decode()
        sub = Conn(lua.port)
        sub.call('SSUBSCRIBE', *CHANNELS)
        [sub.read() for _ in CHANNELS[1:]]
        want = run(c, seq, lambda conn, k, v: conn.call('EVALSHA', sha, len(k), *k, *v))
        want_state = dump(c)
        want_pub = published(sub, c)
    work = tempfile.mkdtemp(prefix='accept-module.')
    with scratch_redis(extra=['--loadmodule', os.path.abspath(a.module)], work=work) as mod:
        c = Conn(mod.port)
        sub = Conn(mod.port)
        sub.call('SSUBSCRIBE', *CHANNELS)
        [sub.read() for _ in CHANNELS[1:]]
        got = run(c, seq, lambda conn, k, v: conn.call('CONFAB.ACCEPT', len(k), *k, *v))
        got_state = dump(c)
        got_pub = published(sub, c)
        own = checks_of_its_own(c)
    with scratch_redis(work=work) as plain:
        replayed = dump(Conn(plain.port))
    bad = own
    for i, (w, g) in enumerate(zip(want, got)):
        if w != g:
            bad += 1
            print('call %d differs:\n  script %.300r\n  module %.300r' % (i, w, g))
    if want_pub != got_pub or not want_pub:
        bad += 1
        print('published messages differ: %d by the script, %d by the module' % (len(want_pub), len(got_pub)))
    for name, other in (('module', got_state), ('module AOF replayed without it', replayed)):
        for k in sorted(set(want_state) | set(other)):
            if b'app_01own' in k:  # checks_of_its_own's
                continue
            if not same_key(want_state.get(k), other.get(k)):
                bad += 1
                print('%s: key %r differs:\n  script %.300r\n  %s %.300r' % (name, k, want_state.get(k), name,
                                                                           other.get(k)))
    print('%d calls, %d keys, %d published: %s' % (len(want), len(want_state), len(want_pub), 'same' if not bad else '%d differences' % bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
