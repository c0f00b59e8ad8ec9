#!/usr/bin/env python3
"""The accept script (server/messaging/scripts.cpp, kAccept) timed alone, on a scratch Redis.

Starts a redis-server of its own (AOF on, as Confab's Redis runs), loads the script exactly as
confabd compiles it in, and pipes EVALSHA calls through `redis-cli --pipe`: --convs
conversations, --per-convo sends each, --batch sends per call (what MessageService's group commit
makes of one conversation's sends in flight). Then prints Redis's own time from INFO
commandstats: the script's microseconds per message and per call, and those of the commands it
made. No confabd, no network hop per call: what is left is the script's own cost. Use --script
to time an edited copy, --module to time the prototype module's CONFAB.ACCEPT instead
(tools/bench/prototypes/accept-module), --cpu to pin Redis to one core. Exits 1 if any call
answered an error.

    python3 tools/bench/accept-script.py --batch 1 --convs 200 --per-convo 500
    python3 tools/bench/accept-script.py --batch 14 --convs 20 --per-convo 20000
"""
import argparse
import os
import subprocess
import sys
import time

from scratchredis import SCRIPTS_CPP, accept_call, accept_script, commandstats, resp, scratch_redis


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--script', default=SCRIPTS_CPP,
                   help='the C++ file holding kAccept (default: the server\'s)')
    p.add_argument('--batch', type=int, default=14, help='sends per call')
    p.add_argument('--convs', type=int, default=20, help='conversations, called in turn')
    p.add_argument('--per-convo', type=int, default=2000, help='sends per conversation')
    p.add_argument('--window-ms', type=int, default=3600000, help='[limits] dedup_window')
    p.add_argument('--cpu', help='pin Redis to this CPU (taskset)')
    p.add_argument('--module', help='a built confab_accept.so: time CONFAB.ACCEPT, not the script')
    a = p.parse_args()

    script = accept_script(a.script)

    extra = ['--loadmodule', os.path.abspath(a.module)] if a.module else []
    with scratch_redis(cpu=a.cpu, extra=extra) as redis:
        cli = redis.cli
        command = ['CONFAB.ACCEPT'] if a.module else ['EVALSHA', cli('SCRIPT', 'LOAD', script).strip()]
        app, slot = 'app_01bench', 1234
        cli('SET', 'confab:{s%d}:recovered' % slot, '1')  # the slot's data is there: accept
        calls, sent = [], 0
        for _ in range(a.per_convo // a.batch):
            for c in range(a.convs):
                convo = 'c%d' % c
                messages = []
                for _ in range(a.batch):
                    sent += 1
                    cmid = 'cmid-%d' % sent
                    head = ('{"id":"01JBENCH%018d","convo_id":"%s","sender_id":"user%d","client_msg_id":"%s",'
                            '"seq_no":' % (sent, convo, c, cmid))
                    tail = ',"ts":1764820000000,"kind":"text","content":{"text":"%s"}}' % ('x' * 100)
                    messages.append((head, tail, '1764820000000', cmid, False))
                keys, argv = accept_call(app, convo, messages, a.window_ms, slot)
                calls.append(resp(command + [str(len(keys))] + keys + argv))
        cli('CONFIG', 'RESETSTAT')
        started = time.time()
        piped = subprocess.run(['redis-cli', '-p', str(redis.port), '--pipe'], input=b''.join(calls), capture_output=True)
        wall = time.time() - started
        summary = piped.stdout.decode().strip().splitlines()[-1:]
        stats = commandstats(cli('INFO', 'commandstats'))
        ev_calls, ev_us = stats.pop('confab.accept' if a.module else 'evalsha', (0, 0))
        inner = sum(us for _, us in stats.values())
        print('accept script, %d sends per call, %d conversations: %d messages in %d calls, %.2f s' % (
            a.batch, a.convs, sent, ev_calls, wall))
        print('  %s %.2f us per message, %.1f us per call; of which the commands it made %.2f us per message'
              % (command[0], ev_us / max(1, sent), ev_us / max(1, ev_calls), inner / max(1, sent)))
        for name, (n, us) in sorted(stats.items(), key=lambda kv: -kv[1][1]):
            print('  %-16s %5.2f calls %6.2f us per message' % (name, n / max(1, sent), us / max(1, sent)))
        print('  redis-cli --pipe: %s' % (summary[0] if summary else piped.stderr.decode().strip()))
        ok = piped.returncode == 0 and summary and summary[0].startswith('errors: 0,') and ev_calls == len(calls)
        return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
