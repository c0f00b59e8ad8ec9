// What one small loopback TCP send costs the sender: sendmsg() per socket against io_uring
// batches (the choice behind [server] batched_sends, docs/architecture.md). A child process
// holds N connections and reads everything (one epoll thread, as wsbench does); the parent
// sends 110-byte writes round-robin at a paced rate, `batch` sockets per round, and prints its
// own CPU per send. Not part of the build:
//   gcc -O2 -o /tmp/loopback-sends tools/bench/loopback-sends.c -luring
//   /tmp/loopback-sends sendmsg 100; /tmp/loopback-sends uring 100
#define _GNU_SOURCE
#include <liburing.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { kConns = 1000, kRate = 60000, kSeconds = 5, kBytes = 110 };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpuSeconds(void)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec)
        + (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

static void readEverything(const struct sockaddr_in *addr)
{
    int ep = epoll_create1(0);
    for (int i = 0; i < kConns; ++i) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(s, (const struct sockaddr *)addr, sizeof *addr) != 0)
            _exit(1);
        fcntl(s, F_SETFL, O_NONBLOCK);
        struct epoll_event e = { .events = EPOLLIN, .data.fd = s };
        epoll_ctl(ep, EPOLL_CTL_ADD, s, &e);
    }
    static char buf[65536];
    struct epoll_event ready[256];
    for (;;) {
        int k = epoll_wait(ep, ready, 256, -1);
        for (int i = 0; i < k; ++i)
            while (read(ready[i].data.fd, buf, sizeof buf) > 0) { }
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "sendmsg") != 0 && strcmp(argv[1], "uring") != 0)) {
        fprintf(stderr, "usage: %s sendmsg|uring [batch]\n", argv[0]);
        return 2;
    }
    const int uring = strcmp(argv[1], "uring") == 0;
    const int batch = argc > 2 ? atoi(argv[2]) : 100;
    if (batch < 1 || batch > 256)
        return 2;
    int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 2048) != 0
        || getsockname(listener, (struct sockaddr *)&addr, &len) != 0) {
        perror("listen");
        return 1;
    }
    pid_t reader = fork();
    if (reader == 0)
        readEverything(&addr);
    int fds[kConns];
    for (int i = 0; i < kConns; ++i) {
        fds[i] = accept(listener, NULL, NULL);
        fcntl(fds[i], F_SETFL, O_NONBLOCK);
        setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    struct io_uring ring;
    if (uring && io_uring_queue_init(256, &ring, 0) < 0) {
        fprintf(stderr, "no io_uring here\n");
        kill(reader, SIGKILL);
        return 1;
    }
    char msg[kBytes];
    memset(msg, 'x', sizeof msg);
    const double t0 = now(), c0 = cpuSeconds();
    double due = t0;
    long sends = 0, incomplete = 0;
    int next = 0;
    while (now() - t0 < kSeconds) {
        for (int b = 0; b < batch; ++b, ++sends) {
            const int fd = fds[next];
            next = (next + 1) % kConns;
            if (uring) {
                io_uring_prep_send(
                    io_uring_get_sqe(&ring), fd, msg, sizeof msg, MSG_NOSIGNAL | MSG_DONTWAIT);
            } else if (send(fd, msg, sizeof msg, MSG_NOSIGNAL | MSG_DONTWAIT)
                != (ssize_t)sizeof msg) {
                ++incomplete;
            }
        }
        if (uring) {
            io_uring_submit_and_wait(&ring, (unsigned)batch);
            struct io_uring_cqe *cqe;
            unsigned head, seen = 0;
            io_uring_for_each_cqe(&ring, head, cqe)
            {
                incomplete += cqe->res != (int)sizeof msg;
                ++seen;
            }
            io_uring_cq_advance(&ring, seen);
        }
        due += (double)batch / kRate;
        const double wait = due - now();
        if (wait > 0) {
            struct timespec ts = { 0, (long)(wait * 1e9) };
            nanosleep(&ts, NULL);
        }
    }
    const double elapsed = now() - t0, cpu = cpuSeconds() - c0;
    printf("%s, %d sockets per round: %ld sends in %.1f s (%ld incomplete), sender %.3f cores, "
           "%.2f us "
           "per send\n",
        argv[1], batch, sends, elapsed, incomplete, cpu / elapsed, cpu / (double)sends * 1e6);
    kill(reader, SIGKILL);
    waitpid(reader, NULL, 0);
    return 0;
}
