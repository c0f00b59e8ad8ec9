#!/usr/bin/env python3
"""Where confabd allocates: a heaptrack recording summed by the innermost confab:: function.

    python3 tools/bench/alloc-sites.py RECORDING [--messages N] [--top K] [--under FUNCTION]

RECORDING is what heaptrack_interpret wrote (heaptrack's .gz or .zst file), or with --stacks
the flame-graph stacks heaptrack_print -F wrote from one ("frame;frame;... count"). Every allocation is
charged to the innermost frame of its call stack that is confabd's own code (a `confab::`
function), so a QByteArray built by a key builder counts under that builder, not under
QArrayData::allocate. With --messages (the messages the run ingested) each line also reads per
message. --under FUNCTION lists instead what FUNCTION's allocations call, one level down.

How the recording is made: run confabd with heaptrack's preload library (a wrapper script as
CONFABD for figures.sh), then heaptrack_interpret; docs/benchmarks-log.md, "Allocations per message",
has the commands.
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile


def read_stacks(path):
    """(frames, count) for every line of a flame-graph stacks file, outermost frame first."""
    with open(path) as f:
        for line in f:
            frames, _, count = line.rstrip("\n").rpartition(" ")
            if frames:
                names = (re.sub(r"\(.*", "", fr) for fr in frames.split(";"))
                yield [n for n in names if n], int(count)


def stacks(recording):
    """(frames, count) for every distinct allocating call stack of a heaptrack recording."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "stacks.txt")
        subprocess.run(["heaptrack_print", "-f", recording, "--print-peaks", "0",
                        "--print-allocators", "0", "--print-temporary", "0",
                        "--flamegraph-cost-type", "allocations", "-F", out],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        yield from read_stacks(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("recording")
    ap.add_argument("--stacks", action="store_true", help="RECORDING is heaptrack_print -F output")
    ap.add_argument("--messages", type=int, default=0, help="messages ingested in the run")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--under", help="break one function's allocations down by what it calls")
    args = ap.parse_args()

    sites = collections.Counter()
    total = 0
    for frames, count in (read_stacks if args.stacks else stacks)(args.recording):
        total += count
        own = [i for i, fr in enumerate(frames) if "confab::" in fr]
        if not own:
            if args.under:
                continue
            key = "(outside confabd's code)"
        elif args.under:
            if frames[own[-1]] != args.under:
                continue
            key = " <- ".join(reversed(frames[own[-1] + 1:own[-1] + 4])) or "(itself)"
        else:
            key = frames[own[-1]]
        sites[key] += count

    per = f" = {total / args.messages:.1f} per message" if args.messages else ""
    print(f"{total} allocations{per}")
    for key, count in sites.most_common(args.top):
        rate = f"{count / args.messages:8.2f}/msg " if args.messages else ""
        print(f"{count:10d} {rate}{key[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
