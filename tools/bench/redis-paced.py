#!/usr/bin/env python3
"""Redis's own CPU per message at the day's pace, for the accept script and for write-only calls.

The question it answers: if a node owned each conversation's seq and dedup state (so that Redis
were only written, never asked), how much of Redis's thread would a message still cost at the
day's load's pace? Starts a redis-server of its own (AOF on, Unix socket, pinned with --cpu),
sends calls one at a time at --rate messages a second over --convs conversations in turn, and
prints the CPU Redis's process used per message (from /proc, so its event loop and socket work
count too, not only the commands' time) next to INFO commandstats.

Exits 1 if a call was not counted or the subscriber got nothing; an error reply stops it.

Modes:
  accept   the accept script (server/messaging/scripts.cpp, kAccept), one send per call: what
           the day's load does today (tools/bench/accept-script.py times it piped instead);
  append   one small script per message that only writes what the node would otherwise keep:
           XADD to the conversation's log with the node's id, HSET of the dedup fingerprint,
           SPUBLISH to the conversation's channel (the other nodes still need it);
  batch    the same writes, but every --batch-ms the messages of that span in one call, across
           conversations (write-behind).

    python3 tools/bench/redis-paced.py --mode accept --cpu 0
    python3 tools/bench/redis-paced.py --mode append --cpu 0
    python3 tools/bench/redis-paced.py --mode batch --batch-ms 10 --cpu 0
    python3 tools/bench/redis-paced.py --mode batch --rate 0 --batch-size 32 --convs 20 --cpu 0

--user-limit N adds what `[limits] user_msgs_per_min = N` costs: each message's sender (one of
--users, in turn) has a token bucket in Redis, read and written by the call that carries the
message (the accept script's own bucket code; in append and batch, the same steps inline).
"""
import argparse
import hashlib
import os
import socket
import sys
import threading
import time

from scratchredis import SCRIPTS_CPP, accept_call, accept_script, commandstats, resp, scratch_redis

APPEND = r'''
-- ARGV[1]: sends per minute of the sender's bucket (0: no bucket); KEYS: per message, log and
-- dedup, and the sender's bucket when limited; ARGV: then per message, id, payload, fingerprint,
-- channel
local limit = tonumber(ARGV[1])
local k = limit > 0 and 3 or 2
local now
if limit > 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
for i = 1, #KEYS / k do
  local ki, a = (i - 1) * k, 1 + (i - 1) * 4
  redis.call('XADD', KEYS[ki + 1], ARGV[a + 1], 'm', ARGV[a + 2])
  redis.call('HSET', KEYS[ki + 2], ARGV[a + 3], ARGV[a + 1])
  if limit > 0 then
    local v = redis.call('HMGET', KEYS[ki + 3], 't', 'ts')
    local tokens = tonumber(v[1]) or limit
    local ts = tonumber(v[2]) or now
    tokens = math.min(limit, tokens + math.max(0, now - ts) * limit / 60000)
    redis.call('HSET', KEYS[ki + 3], 't', tostring(tokens - 1), 'ts', now)
    redis.call('PEXPIRE', KEYS[ki + 3], 120000)
  end
  redis.call('SPUBLISH', ARGV[a + 4], ARGV[a + 2])
end
return #KEYS / k
'''


class Conn:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.buf = b''

    def call(self, payload):
        self.s.sendall(payload)
        return self.reply()

    def _line(self):
        while b'\r\n' not in self.buf:
            self.buf += self.s.recv(65536)
        line, self.buf = self.buf.split(b'\r\n', 1)
        return line

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b'-':
            raise RuntimeError(rest.decode())
        if kind == b'$':
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.s.recv(65536)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if kind == b'*':
            return [self.reply() for _ in range(int(rest))]
        return rest


def cpu_ticks(pid):
    fields = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--mode', choices=['accept', 'append', 'batch'], default='accept')
    p.add_argument('--rate', type=int, default=1700,
                   help='messages a second; 0: as fast as one call in flight allows (batch: --batch-size per call)')
    p.add_argument('--convs', type=int, default=1000, help='conversations, in turn')
    p.add_argument('--seconds', type=float, default=20)
    p.add_argument('--batch-ms', type=float, default=10, help='batch: span gathered into one call')
    p.add_argument('--batch-size', type=int, default=32, help='batch at --rate 0: messages per call')
    p.add_argument('--cpu', help='pin Redis to this CPU (taskset)')
    p.add_argument('--no-subscriber', action='store_true',
                   help='no connection subscribed to the channels (by default one is, as a node is)')
    p.add_argument('--script', default=SCRIPTS_CPP, help='accept: the C++ file holding kAccept')
    p.add_argument('--user-limit', type=int, default=0,
                   help='sends per user per minute: a token bucket per sender (0: none, as the benchmarks run)')
    p.add_argument('--users', type=int, default=10000, help='senders, in turn (with --user-limit)')
    a = p.parse_args()

    with scratch_redis(cpu=a.cpu, unix=True) as redis:
        sock = redis.sock
        c = Conn(sock)
        script = accept_script(a.script) if a.mode == 'accept' else APPEND
        sha = c.call(resp(['SCRIPT', 'LOAD', script])).decode()
        app, slot = 'app_01bench', 1234
        c.call(resp(['SET', 'confab:{s%d}:recovered' % slot, '1']))
        received = [0]
        if not a.no_subscriber:
            # One connection subscribed to every conversation's channel, drained by a thread:
            # Redis writes each SPUBLISH to it, as it does to a node's subscriber connection.
            sub = Conn(sock)
            sub.s.sendall(resp(['SSUBSCRIBE'] + ['confab:{%s:c%d}:ch' % (app, i) for i in range(a.convs)]))

            def drain():
                while True:
                    data = sub.s.recv(1 << 16)
                    if not data:
                        return
                    received[0] += len(data)

            threading.Thread(target=drain, daemon=True).start()
            time.sleep(0.3)
            received[0] = 0  # the subscriptions' confirmations
        seqs = [0] * a.convs
        sent = [0]

        def bucket_key(n):
            return 'confab:{%s}:u%d:bucket' % (app, n % a.users)

        def message(conv):
            sent[0] += 1
            seqs[conv] += 1
            n = sent[0]
            cmid = 'cmid-%d' % n
            payload = ('{"id":"01JBENCH%018d","convo_id":"c%d","sender_id":"user%d","client_msg_id":"%s",'
                       '"seq_no":%d,"ts":1764820000000,"kind":"text","content":{"text":"%s"}}'
                       % (n, conv, conv, cmid, seqs[conv], 'x' * 100))
            return conv, cmid, payload, seqs[conv], bucket_key(n)

        def accept_request(conv, cmid, payload, _seq, bucket):
            head, tail = payload.split('"seq_no":')[0] + '"seq_no":', payload.split(',"ts"', 1)[1]
            keys, argv = accept_call(app, 'c%d' % conv, [(head, ',"ts"' + tail, '1764820000000', cmid, False)],
                                     3600000, slot, per_min=a.user_limit,
                                     user_buckets=[bucket] if a.user_limit > 0 else ())
            return resp(['EVALSHA', sha, str(len(keys))] + keys + argv)

        def append_call(messages):
            keys, argv = [], [str(a.user_limit)]
            for conv, cmid, payload, seq, bucket in messages:
                tag = '{%s:c%d}' % (app, conv)
                keys += ['confab:%s:log' % tag, 'confab:%s:dedup' % tag] + ([bucket] if a.user_limit > 0 else [])
                argv += ['%d-%d' % (1764820000000, seq), payload,
                         hashlib.sha256(cmid.encode()).digest()[:8], 'confab:%s:ch' % tag]
            return resp(['EVALSHA', sha, str(len(keys))] + keys + argv)

        c.call(resp(['CONFIG', 'RESETSTAT']))
        t0 = cpu_ticks(redis.pid)
        start = time.perf_counter()
        step = 1.0 / a.rate if a.rate > 0 else 0.0
        conv, calls, pending = 0, 0, []
        next_batch = start + a.batch_ms / 1000.0
        due = start
        end = start + a.seconds
        while due < end:
            now = time.perf_counter()
            if step == 0:
                due = now
            elif now < due:
                time.sleep(max(0.0, due - now - 0.0002))
                while time.perf_counter() < due:
                    pass
            m = message(conv)
            conv = (conv + 1) % a.convs
            if a.mode == 'accept':
                c.call(accept_request(*m))
                calls += 1
            elif a.mode == 'append':
                c.call(append_call([m]))
                calls += 1
            else:
                pending.append(m)
                if (len(pending) >= a.batch_size) if step == 0 else due >= next_batch:
                    c.call(append_call(pending))
                    calls += 1
                    pending = []
                    next_batch += a.batch_ms / 1000.0
            due += step
        if pending:
            c.call(append_call(pending))
            calls += 1
        wall = time.perf_counter() - start
        ticks = cpu_ticks(redis.pid) - t0
        hz = os.sysconf('SC_CLK_TCK')
        stats = commandstats(c.call(resp(['INFO', 'commandstats'])).decode())
        n = sent[0]
        cpu_us = ticks * 1e6 / hz
        print('%s: %d messages in %d calls over %.1f s (%.0f msgs/s), %d conversations' % (
            a.mode, n, calls, wall, n / wall, a.convs))
        print('  Redis process CPU: %.3f cores, %.1f us per message' % (cpu_us / 1e6 / wall, cpu_us / n))
        if not a.no_subscriber:
            print('  subscriber received %.1f MiB' % (received[0] / 1048576))
        ev_calls, ev_us = stats.get('evalsha', (0, 0))
        print('  EVALSHA (commandstats): %.1f us per message, %.1f us per call' % (ev_us / n, ev_us / max(1, ev_calls)))
        # Every call answered without an error (Conn.reply raises); each one was an EVALSHA, the
        # subscriber got the messages published, and with --user-limit the last sender's bucket
        # was written.
        bucketed = a.user_limit <= 0 or c.call(resp(['EXISTS', bucket_key(n)])) == b'1'
        return 0 if ev_calls == calls and (a.no_subscriber or received[0] > 0) and bucketed else 1


if __name__ == '__main__':
    sys.exit(main())
