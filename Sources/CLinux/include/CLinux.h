// Linux calls that Glibc's Swift module does not export (epoll, eventfd, signalfd, accept4, thread
// names, CPU affinity). Declarations only: _GNU_SOURCE is defined in shims.c, never here, because
// defining it in a module header breaks other C modules.
#ifndef SLUICE_CLINUX_H
#define SLUICE_CLINUX_H

#include <stdint.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

/// One ready event from `epoll_wait`, unpacked (the kernel's struct is packed on x86_64).
typedef struct {
    uint32_t events;
    uint64_t data;
} clinux_event;

int clinux_epoll_create(void);
int clinux_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
/// Waits for events on `epfd`, writing at most `max` unpacked events into `out`.
/// Uses `scratch` (room for `max` kernel events) for the kernel's packed array.
int clinux_epoll_wait(int epfd, struct epoll_event *scratch, clinux_event *out, int max, int timeout_ms);
size_t clinux_epoll_event_size(void);

int clinux_eventfd(void);
int clinux_signalfd(const sigset_t *mask);
/// The signal number carried by one `signalfd_siginfo` read from a signalfd, or -1 on a short read.
int clinux_signalfd_read(int fd);

int clinux_accept(int fd, struct sockaddr *addr, socklen_t *len);
int clinux_set_thread_name(const char *name);
int clinux_pin_to_cpu(int cpu);
int clinux_cpu_count(void);

#endif
