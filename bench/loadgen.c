/* loadgen: the load shapes wrk cannot make, on loopback, one thread, epoll.
 *
 *   loadgen rate    HOST PORT PATH BODYFILE RATE SECONDS CONNECTIONS
 *       Open loop: request i is due at start + i/RATE whatever happened before; latency is measured
 *       from that due time, so queueing behind a slow server counts (no coordinated omission).
 *   loadgen streams HOST PORT PATH BODYFILE COUNT
 *       COUNT concurrent streaming requests; records the gap between consecutive SSE events.
 *   loadgen idle    HOST PORT COUNT SECONDS
 *       COUNT keep-alive connections, one GET /v1/models each, then held open SECONDS.
 *
 * Prints one JSON object on stdout.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double percentile(double *values, size_t count, double p) {
    if (count == 0) return 0;
    size_t index = (size_t)(p * (count - 1) + 0.5);
    return values[index];
}

static char *read_file(const char *path, size_t *length) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc(size + 1);
    if (fread(data, 1, size, f) != (size_t)size) { perror("read"); exit(2); }
    fclose(f);
    data[size] = 0;
    *length = size;
    return data;
}

static int connect_to(const char *host, int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    inet_pton(AF_INET, host, &addr.sin_addr);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) { close(fd); return -1; }
    return fd;
}

static void write_all(int fd, const char *data, size_t length) {
    size_t done = 0;
    while (done < length) {
        ssize_t n = write(fd, data + done, length - done);
        if (n > 0) { done += n; continue; }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            fd_set set;
            FD_ZERO(&set);
            FD_SET(fd, &set);
            select(fd + 1, NULL, &set, NULL, NULL);
            continue;
        }
        return;
    }
}

/* Incremental HTTP/1.1 response reader: enough to know where each response ends. */
typedef struct {
    char head[16384];
    size_t head_len;
    int in_body;
    int chunked;
    long remaining;      /* content-length left, or bytes left in the current chunk */
    int chunk_state;     /* 0 size line, 1 data, 2 CRLF after data, 3 trailer */
    char line[64];
    size_t line_len;
    int status;
} response_reader;

static void reader_reset(response_reader *r) { memset(r, 0, sizeof *r); }

/* Consumes bytes; returns the number used and sets *done when one response completed. */
static size_t reader_feed(response_reader *r, const char *data, size_t length, int *done) {
    size_t i = 0;
    *done = 0;
    while (i < length) {
        if (!r->in_body) {
            if (r->head_len < sizeof r->head - 1) r->head[r->head_len++] = data[i];
            i++;
            if (r->head_len >= 4 && memcmp(r->head + r->head_len - 4, "\r\n\r\n", 4) == 0) {
                r->head[r->head_len] = 0;
                r->status = atoi(r->head + 9);
                r->in_body = 1;
                r->chunked = strcasestr(r->head, "transfer-encoding: chunked") != NULL;
                char *cl = strcasestr(r->head, "content-length:");
                r->remaining = cl ? atol(cl + 15) : 0;
                if (!r->chunked && r->remaining == 0) { *done = 1; return i; }
            }
            continue;
        }
        if (!r->chunked) {
            size_t take = (size_t)r->remaining < length - i ? (size_t)r->remaining : length - i;
            r->remaining -= take;
            i += take;
            if (r->remaining == 0) { *done = 1; return i; }
            continue;
        }
        switch (r->chunk_state) {
        case 0:
        case 3: {
            char c = data[i++];
            if (r->line_len < sizeof r->line - 1) r->line[r->line_len++] = c;
            if (c == '\n') {
                r->line[r->line_len] = 0;
                if (r->chunk_state == 3) {
                    if (r->line_len <= 2) { *done = 1; return i; }
                } else {
                    r->remaining = strtol(r->line, NULL, 16);
                    r->chunk_state = r->remaining == 0 ? 3 : 1;
                }
                r->line_len = 0;
            }
            break;
        }
        case 1: {
            size_t take = (size_t)r->remaining < length - i ? (size_t)r->remaining : length - i;
            r->remaining -= take;
            i += take;
            if (r->remaining == 0) { r->chunk_state = 2; r->line_len = 0; }
            break;
        }
        case 2:
            if (data[i++] == '\n') r->chunk_state = 0;
            break;
        }
    }
    return i;
}

static char *build_request(const char *method, const char *path, const char *body, size_t body_len, size_t *length) {
    char *request = malloc(body_len + 512);
    int n = snprintf(request, 512, "%s %s HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                     method, path, body_len);
    memcpy(request + n, body, body_len);
    *length = n + body_len;
    return request;
}

/* ---- rate ---- */

typedef struct {
    int fd;
    int busy;
    double due;
    response_reader reader;
} rate_conn;

static int run_rate(const char *host, int port, const char *path, const char *body_file, double rate, double seconds, int count) {
    size_t body_len, request_len;
    char *body = read_file(body_file, &body_len);
    char *request = build_request("POST", path, body, body_len, &request_len);
    prctl(PR_SET_TIMERSLACK, 1UL); /* wake when a request is due, not up to 50 µs later */
    int ep = epoll_create1(0);
    rate_conn *conns = calloc(count, sizeof *conns);
    for (int i = 0; i < count; i++) {
        conns[i].fd = connect_to(host, port);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
        epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
    }
    usleep(50000);
    size_t total = (size_t)(rate * seconds);
    double *latencies = malloc(sizeof(double) * (total + 1));
    size_t completed = 0, errors = 0, next = 0;
    int cursor = 0;
    double start = now_us() + 1000, interval = 1e6 / rate;
    double end_by = start + seconds * 1e6 + 5e6;
    char buffer[65536];
    struct epoll_event events[256];
    while (completed + errors < total && now_us() < end_by) {
        double now = now_us();
        while (next < total && start + next * interval <= now) {
            /* Round-robin over idle connections, as a client pool would, so load spreads over the server's loops. */
            int chosen = -1;
            for (int step = 0; step < count; step++) {
                int i = (cursor + step) % count;
                if (!conns[i].busy) { chosen = i; cursor = i + 1; break; }
            }
            if (chosen < 0) break; /* all busy: the request stays due and its latency keeps counting */
            conns[chosen].busy = 1;
            conns[chosen].due = start + next * interval;
            reader_reset(&conns[chosen].reader);
            write_all(conns[chosen].fd, request, request_len);
            next++;
        }
        /* Sleep until the next request is due (or a response arrives) instead of polling: a generator that spins
         * takes a core from the server under test, and on two cores that moves the tail it measures. */
        double wait_us = next < total ? start + next * interval - now_us() : 1000;
        if (wait_us < 0) wait_us = 0;
        long long wait_ns = (long long)(wait_us * 1e3);
        struct timespec timeout = {.tv_sec = wait_ns / 1000000000, .tv_nsec = wait_ns % 1000000000};
        int ready = epoll_pwait2(ep, events, 256, &timeout, NULL);
        for (int e = 0; e < ready; e++) {
            rate_conn *c = &conns[events[e].data.u32];
            for (;;) {
                ssize_t n = read(c->fd, buffer, sizeof buffer);
                if (n <= 0) {
                    if (n == 0 || (errno != EAGAIN && errno != EINTR)) { errors++; c->busy = 0; epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); close(c->fd);
                        c->fd = connect_to(host, port); struct epoll_event ev = {.events = EPOLLIN, .data.u32 = events[e].data.u32};
                        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev); }
                    break;
                }
                size_t offset = 0;
                while (offset < (size_t)n) {
                    int done;
                    offset += reader_feed(&c->reader, buffer + offset, n - offset, &done);
                    if (done) {
                        if (c->reader.status == 200) latencies[completed++] = now_us() - c->due; else errors++;
                        c->busy = 0;
                        reader_reset(&c->reader);
                    }
                }
            }
        }
    }
    qsort(latencies, completed, sizeof(double), cmp_double);
    double elapsed = (now_us() - start) / 1e6;
    printf("{\"mode\":\"rate\",\"target_rate\":%.0f,\"completed\":%zu,\"errors\":%zu,\"elapsed_s\":%.3f,"
           "\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f}\n",
           rate, completed, errors + (total - completed - errors), elapsed, percentile(latencies, completed, 0.5),
           percentile(latencies, completed, 0.9), percentile(latencies, completed, 0.99),
           completed ? latencies[completed - 1] : 0);
    return 0;
}

/* ---- streams ---- */

typedef struct {
    int fd;
    double last_event;
    char tail[8];
    size_t tail_len;
    int done;
} stream_conn;

static int run_streams(const char *host, int port, const char *path, const char *body_file, int count) {
    size_t body_len, request_len;
    char *body = read_file(body_file, &body_len);
    char *request = build_request("POST", path, body, body_len, &request_len);
    int ep = epoll_create1(0);
    stream_conn *conns = calloc(count, sizeof *conns);
    size_t capacity = 1 << 20, gaps_count = 0, events_seen = 0, failed = 0;
    double *gaps = malloc(sizeof(double) * capacity);
    for (int i = 0; i < count; i++) {
        conns[i].fd = connect_to(host, port);
        if (conns[i].fd < 0) { failed++; conns[i].done = 1; continue; }
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
        epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
        write_all(conns[i].fd, request, request_len);
    }
    int open_streams = count - (int)failed;
    char buffer[65536], scan[65536 + 8];
    struct epoll_event events[256];
    double deadline = now_us() + 120e6;
    while (open_streams > 0 && now_us() < deadline) {
        int ready = epoll_wait(ep, events, 256, 1000);
        for (int e = 0; e < ready; e++) {
            stream_conn *c = &conns[events[e].data.u32];
            if (c->done) continue;
            for (;;) {
                ssize_t n = read(c->fd, buffer, sizeof buffer);
                if (n <= 0) {
                    if (n == 0 || (errno != EAGAIN && errno != EINTR)) { failed++; c->done = 1; open_streams--; close(c->fd); }
                    break;
                }
                double now = now_us();
                memcpy(scan, c->tail, c->tail_len);
                memcpy(scan + c->tail_len, buffer, n);
                size_t length = c->tail_len + n;
                for (size_t i = 0; i + 6 <= length; i++) {
                    if (memcmp(scan + i, "data: ", 6) != 0 || i + 6 <= c->tail_len) continue;
                    events_seen++;
                    if (c->last_event > 0 && gaps_count < capacity) gaps[gaps_count++] = now - c->last_event;
                    c->last_event = now;
                }
                if (memmem(scan, length, "[DONE]", 6)) { c->done = 1; open_streams--; close(c->fd); break; }
                c->tail_len = length < 5 ? length : 5;
                memcpy(c->tail, scan + length - c->tail_len, c->tail_len);
            }
        }
    }
    qsort(gaps, gaps_count, sizeof(double), cmp_double);
    printf("{\"mode\":\"streams\",\"streams\":%d,\"failed\":%zu,\"unfinished\":%d,\"events\":%zu,"
           "\"gap_p50_us\":%.1f,\"gap_p99_us\":%.1f,\"gap_p999_us\":%.1f,\"gap_max_us\":%.1f}\n",
           count, failed, open_streams, events_seen, percentile(gaps, gaps_count, 0.5), percentile(gaps, gaps_count, 0.99),
           percentile(gaps, gaps_count, 0.999), gaps_count ? gaps[gaps_count - 1] : 0);
    return 0;
}

/* ---- idle ---- */

static int run_idle(const char *host, int port, int count, double seconds) {
    const char *request = "GET /v1/models HTTP/1.1\r\nHost: bench\r\n\r\n";
    int *fds = calloc(count, sizeof(int));
    int ok = 0;
    char buffer[65536];
    for (int i = 0; i < count; i++) {
        fds[i] = connect_to(host, port);
        if (fds[i] < 0) continue;
        fd_set set;
        FD_ZERO(&set);
        FD_SET(fds[i], &set);
        struct timeval tv = {5, 0};
        if (select(fds[i] + 1, NULL, &set, NULL, &tv) <= 0) continue;
        write_all(fds[i], request, strlen(request));
        response_reader reader;
        reader_reset(&reader);
        int done = 0;
        double give_up = now_us() + 5e6;
        while (!done && now_us() < give_up) {
            ssize_t n = read(fds[i], buffer, sizeof buffer);
            if (n > 0) { reader_feed(&reader, buffer, n, &done); continue; }
            if (n == 0 || (errno != EAGAIN && errno != EINTR)) break;
            FD_ZERO(&set);
            FD_SET(fds[i], &set);
            struct timeval wait = {1, 0};
            select(fds[i] + 1, &set, NULL, NULL, &wait);
        }
        if (done && reader.status == 200) ok++;
    }
    printf("{\"mode\":\"idle\",\"requested\":%d,\"open\":%d}\n", count, ok);
    fflush(stdout);
    usleep((useconds_t)(seconds * 1e6));
    for (int i = 0; i < count; i++) if (fds[i] >= 0) close(fds[i]);
    return 0;
}

int main(int argc, char **argv) {
    struct rlimit limit;
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    if (argc == 9 && strcmp(argv[1], "rate") == 0)
        return run_rate(argv[2], atoi(argv[3]), argv[4], argv[5], atof(argv[6]), atof(argv[7]), atoi(argv[8]));
    if (argc == 7 && strcmp(argv[1], "streams") == 0)
        return run_streams(argv[2], atoi(argv[3]), argv[4], argv[5], atoi(argv[6]));
    if (argc == 6 && strcmp(argv[1], "idle") == 0)
        return run_idle(argv[2], atoi(argv[3]), atoi(argv[4]), atof(argv[5]));
    fprintf(stderr, "usage: see the comment at the top of loadgen.c\n");
    return 2;
}
