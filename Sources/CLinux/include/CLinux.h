#ifndef CLINUX_H
#define CLINUX_H
/* Linux calls Swift's Glibc module does not expose (epoll, eventfd, accept4)
   and small socket helpers that avoid sockaddr casts in Swift. No logic. */
#include <malloc.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>

int clinux_epoll_create(void);
int clinux_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token);
int clinux_epoll_wait(int epfd, struct epoll_event *events, int max, int timeout_ms);
uint64_t clinux_epoll_event_token(const struct epoll_event *events, int index);
uint32_t clinux_epoll_event_flags(const struct epoll_event *events, int index);
int clinux_eventfd(void);
int clinux_eventfd_signal(int fd);
int clinux_eventfd_drain(int fd);
/* Binds a non-blocking TCP listener on an IPv4/IPv6 literal host. Returns fd or -errno. */
int clinux_listen_tcp(const char *host, int port, int reuse_port, int backlog);
/* Starts a non-blocking TCP connect (TCP_NODELAY set) to an IPv4/IPv6 literal; returns the fd,
   whose connect may still be in progress (wait for writability, then clinux_socket_error), or -errno. */
int clinux_connect_tcp(const char *host, int port);
/* A socket's pending error (SO_ERROR): 0 once a connect succeeded. */
int clinux_socket_error(int fd);

/* The local port a socket is bound to, or -1. */
int clinux_local_port(int fd);
/* accept4 non-blocking + close-on-exec; writes the peer address text into buf. */
int clinux_accept(int listen_fd, char *peer, int peer_len);
/* Names the calling thread for top -H, perf and /proc (the kernel keeps the first 15 bytes). */
int clinux_set_thread_name(const char *name);
int clinux_set_nodelay(int fd);
/* glibc's memrchr (a GNU extension Swift's Glibc module does not expose): the last `c` in the `n` bytes at `s`. */
void *clinux_memrchr(const void *s, int c, size_t n);
int clinux_raise_nofile_limit(void);

static const uint32_t CLINUX_EPOLLIN = EPOLLIN;
static const uint32_t CLINUX_EPOLLOUT = EPOLLOUT;
static const uint32_t CLINUX_EPOLLERR = EPOLLERR;
static const uint32_t CLINUX_EPOLLHUP = EPOLLHUP;
static const uint32_t CLINUX_EPOLLRDHUP = EPOLLRDHUP;
static const uint32_t CLINUX_EPOLLET = EPOLLET;
/* Returns freed heap memory to the system (glibc keeps it in its arenas otherwise). */
static inline void clinux_release_free_memory(void) { malloc_trim(0); }
#endif
