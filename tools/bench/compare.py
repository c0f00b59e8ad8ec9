#!/usr/bin/env python3
"""Confab vs NATS JetStream from wsbench's JSON lines (../shared/bench), the last run of each
(target, scenario): the figures issue 9 asks for, side by side, with Confab / NATS ratios.
Confab's CPU and RSS include its Redis and PostgreSQL (run-confab.sh's --also-pid)."""
import json
import sys


def stack(run, key):
    """Sum of a /proc figure over confabd, redis and postgres (run-confab.sh's snapshots)."""
    before, after = run.get("procs_before", {}), run.get("procs_after", {})
    if key == "cpu_s":
        return sum(after[p]["cpu_s"] - before.get(p, {}).get("cpu_s", 0) for p in after)
    return sum(after[p]["rss_kb"] for p in after)


def row(run):
    # An idle run has no load window (no duration_s): no cores figure rather than CPU / 0.
    d = run.get("duration_s")
    if run["target"] == "nats":
        cores = run.get("server_cores", run.get("script_server_cpu_s", 0) / d if d else None)
        rss = run.get("server_rss_kb_max", run.get("script_server_rss_kb_after", 0))
    else:
        if "procs_after" in run:
            cores = stack(run, "cpu_s") / d if d else None
        else:
            cores = run.get("server_cores")
        rss = stack(run, "rss_kb") if "procs_after" in run else run.get("server_rss_kb_max", 0)
    out = {
        "acked %": 100.0 * run.get("acked", 0) / run["sent"] if run.get("sent") else None,
        "acks/s": run.get("acks_per_s"),
        "ack p99 ms": run.get("ack_p99_us", 0) / 1000 if "ack_p99_us" in run else None,
        "deliv/s": run.get("deliveries_per_s"),
        "deliv p99 ms": run.get("deliv_p99_us", 0) / 1000 if "deliv_p99_us" in run else None,
        "server cores": cores,
        "server RSS MiB": rss / 1024,
        "lost": run.get("lost"),
        "errors": run.get("errors"),
    }
    if "server_rss_per_conn_kb" in run:
        out["KiB/conn"] = run["server_rss_per_conn_kb"]
    return out


def main(path):
    last = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line)
                last[(r.get("target"), r.get("scenario"))] = r
    for scenario in sorted({s for (_, s) in last}):
        n, c = last.get(("nats", scenario)), last.get(("confab", scenario))
        if not n or not c:
            continue
        rn, rc = row(n), row(c)
        print(f"\n{scenario}: {'':18} {'NATS':>12} {'Confab':>12} {'Confab/NATS':>12}")
        for k in rn:
            a, b = rn[k], rc.get(k)
            if a is None or b is None:
                continue
            ratio = f"{b / a:12.2f}" if a else f"{'':>12}"
            print(f"  {k:26} {a:12.2f} {b:12.2f} {ratio}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench-results/figures.jsonl")
