// How long the host takes a core away from a running thread: spins on clock_gettime() for a
// number of seconds and counts the gaps between two readings longer than 1, 5 and 10 ms. On a
// virtual machine whose guest counts no steal time, this is where the hypervisor's pauses show
// (docs/benchmarks-log.md, "The flush's tail reads in bounded pieces"). Not part of the build:
//   gcc -O2 -o /tmp/hiccup tools/bench/hiccup.c
//   taskset -c 0 /tmp/hiccup 10 & taskset -c 1 /tmp/hiccup 10; wait
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long nowNs(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
    const double seconds = argc > 1 ? atof(argv[1]) : 10;
    const long long end = nowNs() + (long long)(seconds * 1e9);
    long long previous = nowNs(), longest = 0, lost = 0;
    long over1 = 0, over5 = 0, over10 = 0;
    for (;;) {
        const long long t = nowNs();
        const long long gap = t - previous;
        previous = t;
        if (gap > 1000000) {
            ++over1;
            lost += gap;
            over5 += gap > 5000000;
            over10 += gap > 10000000;
        }
        if (gap > longest)
            longest = gap;
        if (t > end)
            break;
    }
    printf("gaps >1 ms %ld, >5 ms %ld, >10 ms %ld; longest %.2f ms; %.1f ms lost in %.0f s\n", over1,
        over5, over10, longest / 1e6, lost / 1e6, seconds);
    return 0;
}
