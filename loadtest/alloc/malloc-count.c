// malloc-count: an LD_PRELOAD shim that counts heap allocations of a whole process (all threads).
//
// Why our own: STYLE.md rule 7 (count allocations, don't guess) without linking anything into the
// gateway. Every allocating entry point is wrapped and forwarded to glibc's __libc_* functions, so
// there is no dlsym bootstrap problem. Counters are _Atomic and relaxed: exact totals, no ordering.
//
// Output:
//   - at exit, "malloc-count: allocations=N frees=M" on stderr;
//   - on signal MALLOC_COUNT_SIGNAL (a number, default SIGUSR2), "SEQ ALLOCATIONS FREES\n" is written
//     to the file named by MALLOC_COUNT_FILE (replacing it), SEQ counting the snapshots from 1.
// The handler uses only async-signal-safe calls (open, write, rename, close). The signal must be one
// the program does not handle itself: nginx uses SIGUSR2, so test nginx with a real-time signal.
//
// Build: gcc -O2 -shared -fPIC -o malloc-count.so malloc-count.c
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>  // rename
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void __libc_free(void *ptr);

static _Atomic unsigned long allocations;
static _Atomic unsigned long frees;
static _Atomic unsigned long snapshots;
static char count_file[4096];
static char count_tmp[4096 + 8];

static inline void counted(void) { atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed); }

void *malloc(size_t size) {
    counted();
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size) {
    counted();
    return __libc_calloc(n, size);
}

// Every realloc counts: growing a buffer per request is what we want to see.
void *realloc(void *ptr, size_t size) {
    counted();
    return __libc_realloc(ptr, size);
}

void free(void *ptr) {
    if (ptr) atomic_fetch_add_explicit(&frees, 1, memory_order_relaxed);
    __libc_free(ptr);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    counted();
    void *p = __libc_memalign(alignment, size);
    if (!p && size) return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size) {
    counted();
    return __libc_memalign(alignment, size);
}

void *memalign(size_t alignment, size_t size) {
    counted();
    return __libc_memalign(alignment, size);
}

void *valloc(size_t size) {
    counted();
    return __libc_valloc(size);
}

// Writes the decimal digits of v into buf; returns the length. Async-signal-safe.
static size_t put_number(char *buf, unsigned long v) {
    char tmp[24];
    size_t n = 0, i;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
    return n;
}

static size_t format_counts(char *buf, unsigned long seq) {
    size_t n = 0;
    n += put_number(buf + n, seq);
    buf[n++] = ' ';
    n += put_number(buf + n, atomic_load_explicit(&allocations, memory_order_relaxed));
    buf[n++] = ' ';
    n += put_number(buf + n, atomic_load_explicit(&frees, memory_order_relaxed));
    buf[n++] = '\n';
    return n;
}

static void on_signal(int sig) {
    (void)sig;
    int saved = errno;
    if (count_file[0]) {
        char buf[96];
        unsigned long seq = atomic_fetch_add_explicit(&snapshots, 1, memory_order_relaxed) + 1;
        size_t n = format_counts(buf, seq);
        int fd = open(count_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ssize_t w = write(fd, buf, n);
            close(fd);
            if (w == (ssize_t)n) rename(count_tmp, count_file);  // readers never see half a line
        }
    }
    errno = saved;
}

__attribute__((constructor)) static void malloc_count_init(void) {
    const char *file = getenv("MALLOC_COUNT_FILE");
    if (file && strlen(file) < sizeof(count_file)) {
        strcpy(count_file, file);
        strcpy(count_tmp, file);
        strcat(count_tmp, ".tmp");
    }
    const char *sig = getenv("MALLOC_COUNT_SIGNAL");
    int signo = sig ? atoi(sig) : SIGUSR2;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(signo, &sa, NULL);
}

__attribute__((destructor)) static void malloc_count_report(void) {
    char buf[128] = "malloc-count: allocations=";
    size_t n = strlen(buf);
    n += put_number(buf + n, atomic_load_explicit(&allocations, memory_order_relaxed));
    memcpy(buf + n, " frees=", 7);
    n += 7;
    n += put_number(buf + n, atomic_load_explicit(&frees, memory_order_relaxed));
    buf[n++] = '\n';
    ssize_t ignored = write(2, buf, n);
    (void)ignored;
}
