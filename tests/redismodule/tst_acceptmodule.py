#!/usr/bin/env python3
"""CONFAB.ACCEPT, CONFAB.PRESENCE_UP / _DOWN, CONFAB.READ_TAIL and CONFAB.CLEAR_PENDING
(server/redismodule) answer, write and publish what the accept, presence and flush scripts do.

Runs one sequence of calls on two scratch Redis servers side by side, each call on one then the
other: one through EVALSHA of its script (kAccept in server/messaging/scripts.cpp, ...), one
through the module. Then it compares every reply, every message published and every key (type, value, expiry
within 5 s), and restarts a plain Redis, without the module, on the module server's AOF and
compares again: the module writes its effects to the AOF as plain commands. The sequence covers
shard splits, resends (duplicates with and without the envelope), forced accepts, rate limits, a
deferred publish, a slot whose recovery has not run, and a short dedup window over eight buckets
(each phase started just after a bucket begins, so both servers see the same buckets). The
presence calls cover a first session (published), more sessions and renewals (not), the last one
leaving (last_seen set, published), a session that was never there, and overdue sessions of a
dead node dropped on the next call; the times they write are compared as "<t>". The flush calls
read tails (in chunks, cut by records and by bytes, bounded by a :pub key) and clear or re-score
pending entries.

    python3 tests/redismodule/tst_acceptmodule.py --module build/server/redismodule/confab-redis.so

Exits 1 on any difference. Its own scratch redis-servers (tools/bench/scratchredis.py); no timing.
"""
import argparse
import os
import re
import shutil
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tools', 'bench'))
from scratchredis import accept_call, lua_script, resp, scratch_redis  # noqa: E402

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'server')


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


def accept(app, convo, ids, window_ms, per_min=0, per_s=0, defer=False, force=()):
    """An accept call of these client_msg_ids (the user is what comes before the first '-')."""
    messages = [('{"id":"01CMP%s","convo_id":"%s","client_msg_id":"%s","seq_no":' % (cmid, convo, cmid),
                 ',"ts":1764820000000,"kind":"text","content":{"text":"%s"}}' % ('y' * 40),
                 '1764820000000', cmid, cmid in force) for cmid in ids]
    buckets = ['confab:%s:user:%s:bucket' % (app, i.split('-')[0]) for i in ids] if per_min else ()
    keys, argv = accept_call(app, convo, messages, window_ms, 77, per_min, per_s, defer, buckets)
    return ('call', keys, argv)


def calls():
    """The sequence with the default window (one dedup bucket): splits, resends, limits."""
    app, window = 'app_01cmp', 3600000
    out = [accept(app, 'c0', ['u1-a'], window)]  # the slot not recovered: {2, 0}
    out.append(('set', 'confab:{s77}:recovered', '1'))
    for c in range(3):
        for b in range(300):
            ids = ['u%d-%d-%d-%d' % (c, c, b, k) for k in range(1 + (b % 5))]
            out.append(accept(app, 'c%d' % c, ids, window, defer=(b % 7 == 0)))
    # Resends: duplicates found with their envelope, and one forced (a proven collision).
    out.append(accept(app, 'c1', ['u1-1-5-0', 'u1-1-5-1', 'new-x', 'u1-1-200-0'], window))
    out.append(accept(app, 'c2', ['u2-2-9-0'], window, force=('u2-2-9-0',)))
    # Rate limits: a user with 3 a minute, then the app's bucket.
    out.append(accept(app, 'c9', ['lim-%d' % k for k in range(5)], window, per_min=3))
    out.append(accept(app, 'c9', ['lim2-%d' % k for k in range(4)], window, per_s=2))
    # The tail trimmed below a stored seq: the duplicate comes back without its envelope.
    out.append(('xtrim', 'confab:{app_01cmp:c0}:log', '100-0'))
    out.append(accept(app, 'c0', ['u0-0-3-0'], window))
    return out


BUCKET_MS = 300


def window_calls():
    """A short dedup window (600 ms: buckets of 300 ms) over eight buckets, each phase started
    just after a bucket begins on both servers: new buckets, the three youngest looked up, an
    old bucket's meta dropped, and resends from one, two and three buckets back (the last one
    is past the window: accepted again)."""
    app, window = 'app_01win', 2 * BUCKET_MS
    out = []
    for phase in range(8):
        out.append(('bucket',))
        for k in range(4):
            out.append(accept(app, 'w0', ['p%d-%d-%d' % (phase, k, i) for i in range(3)], window))
        for back in (1, 2, 3):
            if phase >= back:
                out.append(accept(app, 'w0', ['p%d-%d-0' % (phase - back, back)], window))
    return out


def presence(user, kind, session, ttl_ms=90000):
    """A presence_up or presence_down call of one session of a user (ttl_ms: when its renewal
    is due; the key itself lives 90 s)."""
    keys = ['pres:{%s}' % user, 'seen:{%s}' % user]
    head = '{"type":"presence.update","user_id":"%s","status":"%s","last_seen_ms":' % (
        user, 'online' if kind == 'presence_up' else 'offline')
    if kind == 'presence_up':
        return (kind, keys, ['%s 1764820000000 node-a' % session, ttl_ms, 90000, 'pch:{%s}' % user, head])
    return (kind, keys, ['%s 1764820000000 node-a' % session, 'pch:{%s}' % user, head])


def presence_calls():
    up, down = 'presence_up', 'presence_down'
    return [presence('u1', up, 's1'), presence('u1', up, 's2'), presence('u1', up, 's1'),
            presence('u1', down, 's2'), presence('u1', down, 's1'), presence('u1', down, 's1'),
            presence('u2', down, 'never'),
            # A session of a node that died: overdue after 1 ms, dropped by the next call.
            presence('u3', up, 'dead', ttl_ms=1), ('sleep', 0.05), presence('u3', up, 's3'),
            presence('u4', up, 's4'), presence('u4', up, 'dead', ttl_ms=1), ('sleep', 0.05),
            presence('u4', down, 's4'),
            # The presence key holding another type: an error from both.
            ('set', 'pres:{u5}', 'x'), presence('u5', up, 's5')]


def read_tail(convo, first, records, budget, pub=False):
    """A flush's read of a conversation's tail (with its :pub key, as [redis] min_replicas reads)."""
    tag = '{app_01cmp:%s}' % convo
    keys = ['confab:%s:log' % tag] + (['confab:%s:pub' % tag] if pub else [])
    return ('read_tail', keys, [first, records, budget])


def clear_pending(convo, flushed, pending='confab:{s77}:pending'):
    tag = '{app_01cmp:%s}' % convo
    return ('clear_pending', [pending, 'confab:%s:seq' % tag, 'confab:%s:log' % tag], ['app_01cmp %s' % convo, flushed])


def flush_calls():
    """After calls(): c1 and c2 hold about 900 entries from seq 1, c0's are trimmed below 100."""
    mb = 1 << 20
    return [read_tail('c1', 1, 1000, mb), read_tail('c1', 1, 200, mb), read_tail('c1', 890, 64, mb),
            read_tail('c1', 5, 100, 1000), read_tail('c1', 5, 100, 10), read_tail('c1', 5000, 10, mb),
            read_tail('c1', 1, 0, mb), read_tail('c1', 100000, 0, mb), read_tail('c0', 1, 50, mb),
            read_tail('c5', 1, 10, mb),
            # [redis] min_replicas: nothing past :pub, and nothing at all without one.
            ('set', 'confab:{app_01cmp:c1}:pub', '40'), read_tail('c1', 30, 100, mb, pub=True),
            read_tail('c1', 41, 10, mb, pub=True), read_tail('c1', 1, 20, mb, pub=True),
            read_tail('c1', 1, 40, mb, pub=True), read_tail('c2', 1, 10, mb, pub=True),
            # Keys of other types: an error from both.
            ('set', 'confab:{app_01cmp:c8}:log', 'x'), read_tail('c8', 1, 10, mb),
            ('raw', 'HSET', 'confab:{app_01cmp:c7}:pub', 'a', 'b'), read_tail('c7', 1, 10, mb, pub=True),
            # Still pending (rescored with its first unflushed message's ts), then flushed.
            clear_pending('c1', 10), clear_pending('c1', 100000), clear_pending('c1', 100000),
            ('raw', 'ZADD', 'confab:{s77}:pending', '5', 'app_01cmp c2'), clear_pending('c2', 5),
            clear_pending('c0', 10),
            # An envelope without a ts scores 0; a seq past a tail that holds nothing after the
            # flushed seq is cleared.
            ('raw', 'XADD', 'confab:{app_01cmp:c6}:log', '1-0', 'm', 'no time here'),
            ('raw', 'SET', 'confab:{app_01cmp:c6}:seq', '3'), clear_pending('c6', 0),
            ('raw', 'SET', 'confab:{app_01cmp:c3}:seq', '50'),
            ('raw', 'ZADD', 'confab:{s77}:pending', '7', 'app_01cmp c3'), clear_pending('c3', 10),
            ('raw', 'HSET', 'confab:{app_01cmp:c4}:seq', 'a', 'b'), clear_pending('c4', 1),
            ('raw', 'SET', 'confab:{app_01cmp:c8}:seq', '5'), clear_pending('c8', 1),
            ('set', 'confab:{s78}:pending', 'x'), clear_pending('c1', 1, pending='confab:{s78}:pending')]


TIMES = re.compile(rb'"last_seen_ms":\d+')


def dump(conn):
    state = {}
    for k in sorted(conn.call('KEYS', '*')):
        t = conn.call('TYPE', k)
        if t == b'string':
            v = conn.call('GET', k)
            if k.startswith(b'seen:'):  # the clock of the call
                v = b'<t>'

        elif t == b'hash':
            v = sorted(zip(*[iter(conn.call('HGETALL', k))] * 2))
            if k.endswith(b':bucket'):  # a bucket's 'ts' is the clock of the call
                v = [(f, b'<now>' if f == b'ts' else x) for f, x in v]
        elif t == b'stream':
            v = conn.call('XRANGE', k, '-', '+')
        elif t == b'zset':
            v = conn.call('ZRANGE', k, 0, -1, 'WITHSCORES')
            if k.startswith(b'pres:'):  # scores are the clock of the call plus a ttl
                v = [x if i % 2 == 0 else b'<t>' for i, x in enumerate(v)]
        elif t == b'set':
            v = sorted(conn.call('SMEMBERS', k))
        else:
            v = t
        ttl = conn.call('PTTL', k)
        state[k] = (t, v, ttl)
    return state


CHANNELS = (['confab:{app_01cmp:c%d}:ch' % c for c in (0, 1, 2, 9)] + ['confab:{app_01win:w0}:ch']
            + ['pch:{u%d}' % u for u in range(1, 6)])


def published(sub, conn):
    """What `sub` (SSUBSCRIBEd to CHANNELS) received, up to a PING sent through the same pipe."""
    sub.s.sendall(resp(['PING', 'end']))
    got = []
    while True:
        m = sub.read()
        if m == [b'pong', b'end']:
            return got
        got.append([TIMES.sub(b'"last_seen_ms":<t>', x) if isinstance(x, bytes) else x for x in m])


def same_key(a, b):
    """Type and value equal, and the expiry too within the seconds between the two runs."""
    if a is None or b is None:
        return a is b
    (ta, va, ea), (tb, vb, eb) = a, b
    return ta == tb and va == vb and (ea < 0) == (eb < 0) and abs(ea - eb) <= 5000


def at_bucket_start():
    """Sleeps until just after the next dedup bucket begins (BUCKET_MS on the clock both
    servers share), so what follows lands in one bucket, and expiries (at bucket starts) are
    not due for a while."""
    ms = time.time() * 1000
    time.sleep((BUCKET_MS - ms % BUCKET_MS + 5) / 1000)


def dump_both(a, b):
    """dump() of two servers within one dedup bucket, so that no key expires between them (a
    slow host can take longer than a bucket for both: then again, at the next bucket)."""
    for _ in range(10):
        at_bucket_start()
        bucket = time.time() * 1000 // BUCKET_MS
        dumps = dump(a), dump(b)
        if time.time() * 1000 // BUCKET_MS == bucket:
            break
    return dumps


def run(servers, seq):
    """Each item on every server in turn: [(conn, invoke)] -> replies per server."""
    replies = [[] for _ in servers]
    for item in seq:
        if item[0] == 'bucket':
            at_bucket_start()
            continue
        if item[0] == 'sleep':
            time.sleep(item[1])
            continue
        for (conn, invoke), out in zip(servers, replies):
            if item[0] == 'set':
                conn.call('SET', item[1], item[2])
            elif item[0] == 'xtrim':
                conn.call('XTRIM', item[1], 'MINID', item[2])
            elif item[0] == 'raw':
                conn.call(*item[1:])
            else:
                out.append(invoke(conn, *item))
    return replies


def checks_of_its_own(conn):
    """Cluster key positions (what COMMAND GETKEYS asks the module), and bad calls answered with
    an error, the server still up. Returns the number of failures."""
    # Keys of their own: the AOF replay below compares the sequences' keys.
    _, keys, argv = accept('app_01own', 'c0', ['x-1'], 60000)
    bad = 0
    got = conn.call('COMMAND', 'GETKEYS', 'CONFAB.ACCEPT', len(keys), *keys, *argv)
    if got != [k.encode() for k in keys]:
        bad += 1
        print('COMMAND GETKEYS answered %r' % (got,))
    _, pkeys, pargv = presence('own', 'presence_up', 's1')
    got = conn.call('COMMAND', 'GETKEYS', 'CONFAB.PRESENCE_UP', len(pkeys), *pkeys, *pargv)
    if got != [k.encode() for k in pkeys]:
        bad += 1
        print('COMMAND GETKEYS of CONFAB.PRESENCE_UP answered %r' % (got,))
    for command, (_, k, v) in (('CONFAB.READ_TAIL', read_tail('c1', 1, 10, 100, pub=True)),
                               ('CONFAB.CLEAR_PENDING', clear_pending('c1', 1))):
        got = conn.call('COMMAND', 'GETKEYS', command, len(k), *k, *v)
        if got != [x.encode() for x in k]:
            bad += 1
            print('COMMAND GETKEYS of %s answered %r' % (command, got))
    wrong = [('CONFAB.READ_TAIL',), ('CONFAB.READ_TAIL', 1, 'log', 1, 2), ('CONFAB.READ_TAIL', 0, 1, 2, 3),
             ('CONFAB.CLEAR_PENDING', 3, 'a', 'b', 'c', 'm'), ('CONFAB.CLEAR_PENDING', 2, 'a', 'b', 'm', '1'),
             ('CONFAB.ACCEPT',), ('CONFAB.ACCEPT', 'x'), ('CONFAB.ACCEPT', 2, 'a', 'b'),
             ('CONFAB.ACCEPT', 99, *keys, *argv), ('CONFAB.ACCEPT', len(keys), *keys, *argv[:-1]),
             ('CONFAB.ACCEPT', len(keys), *keys, *argv[:7], '2', *argv[8:]),
             ('CONFAB.ACCEPT', '9' * 30, *keys, *argv), ('CONFAB.ACCEPT', '-' + '9' * 30, *keys, *argv),
             ('CONFAB.PRESENCE_UP',), ('CONFAB.PRESENCE_UP', 2, *pkeys, *pargv[:4]),
             ('CONFAB.PRESENCE_DOWN', 1, pkeys[0], *pargv[:3]), ('CONFAB.PRESENCE_DOWN', '9' * 30, *pkeys)]
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


def is_error(reply):
    """An error reply: the same error code (its first word) counts as the same answer."""
    return isinstance(reply, tuple) and reply[0] == 'error'


def compare(name, want, got):
    """Differences between two dumps, printed; their count."""
    bad = 0
    for k in sorted(set(want) | set(got)):
        if b'app_01own' in k:  # checks_of_its_own's
            continue
        if not same_key(want.get(k), got.get(k)):
            bad += 1
            print('%s: key %r differs:\n  script %.300r\n  %s %.300r' % (name, k, want.get(k), name, got.get(k)))
    return bad


def subscribe(port):
    sub = Conn(port)
    sub.call('SSUBSCRIBE', *CHANNELS)
    [sub.read() for _ in CHANNELS[1:]]
    return sub


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--module', required=True, help='the built confab-redis.so')
    a = p.parse_args()
    seq = calls() + flush_calls() + window_calls() + presence_calls()
    work = tempfile.mkdtemp(prefix='accept-module.')
    # Each kind of call: its script (the C++ file that holds it) and its module command.
    kinds = {'call': ('kAccept', 'CONFAB.ACCEPT', 'messaging/scripts.cpp'),
             'presence_up': ('kPresenceUp', 'CONFAB.PRESENCE_UP', 'messaging/scripts.cpp'),
             'presence_down': ('kPresenceDown', 'CONFAB.PRESENCE_DOWN', 'messaging/scripts.cpp'),
             'read_tail': ('kReadTail', 'CONFAB.READ_TAIL', 'segments/flushworker.cpp'),
             'clear_pending': ('kClearPending', 'CONFAB.CLEAR_PENDING', 'segments/pendingslots.cpp')}
    with scratch_redis() as lua:
        lc = Conn(lua.port)
        sha = {kind: lc.call('SCRIPT', 'LOAD', lua_script(name, os.path.join(SERVER, path))).decode()
               for kind, (name, _, path) in kinds.items()}
        lsub = subscribe(lua.port)
        with scratch_redis(extra=['--loadmodule', os.path.abspath(a.module)], work=work) as mod:
            mc = Conn(mod.port)
            msub = subscribe(mod.port)
            want, got = run([(lc, lambda conn, kind, k, v: conn.call('EVALSHA', sha[kind], len(k), *k, *v)),
                             (mc, lambda conn, kind, k, v: conn.call(kinds[kind][1], len(k), *k, *v))], seq)
            want_state, got_state = dump_both(lc, mc)
            want_pub, got_pub = published(lsub, lc), published(msub, mc)
            bad = checks_of_its_own(mc)
        with scratch_redis(work=work) as plain:
            replayed, want_now = dump_both(Conn(plain.port), lc)
    shutil.rmtree(work, ignore_errors=True)
    for i, (w, g) in enumerate(zip(want, got)):
        if w != g and not (is_error(w) and is_error(g) and w[1].split()[0] == g[1].split()[0]):
            bad += 1
            print('call %d differs:\n  script %.300r\n  module %.300r' % (i, w, g))
    if want_pub != got_pub or not want_pub:
        bad += 1
        print('published messages differ: %d by the script, %d by the module' % (len(want_pub), len(got_pub)))
    bad += compare('module', want_state, got_state)
    bad += compare('module AOF replayed without it', want_now, replayed)
    print('%d calls, %d keys, %d published: %s' % (len(want), len(want_state), len(want_pub),
                                                   'same' if not bad else '%d differences' % bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
