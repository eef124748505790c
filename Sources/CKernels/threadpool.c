// A persistent pthread pool for splitting large products, plus per-thread scratch buffers.
//
// Workers are created lazily on first use and then wait for a new "generation". After a job
// they spin briefly before sleeping, because the next product of a training step usually
// follows within microseconds; the spin is short since the cores are shared.
#include "internal.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#if CK_X86
#include <immintrin.h>
#define CK_PAUSE() _mm_pause()
#else
#define CK_PAUSE() ((void)0)
#endif

enum { MAX_WORKERS = 63, SPIN_ROUNDS = 4000 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static atomic_uint generation;
static atomic_int pending;
static atomic_int started;
static atomic_flag busy = ATOMIC_FLAG_INIT;
static int workers;
static ck_task job_task;
static void *job_ctx;
static int job_count;

static void *worker_main(void *arg)
{
    int index = (int)(intptr_t)arg;
    unsigned seen = atomic_load_explicit(&generation, memory_order_acquire);
    atomic_fetch_add_explicit(&started, 1, memory_order_release);
    for (;;) {
        int spins = 0;
        while (atomic_load_explicit(&generation, memory_order_acquire) == seen && spins < SPIN_ROUNDS) {
            CK_PAUSE();
            spins++;
        }
        if (atomic_load_explicit(&generation, memory_order_acquire) == seen) {
            pthread_mutex_lock(&lock);
            while (atomic_load_explicit(&generation, memory_order_acquire) == seen)
                pthread_cond_wait(&wake, &lock);
            pthread_mutex_unlock(&lock);
        }
        seen = atomic_load_explicit(&generation, memory_order_acquire);
        if (index < job_count)
            job_task(job_ctx, index, job_count);
        atomic_fetch_sub_explicit(&pending, 1, memory_order_acq_rel);
    }
    return NULL;
}

// Called with `busy` held, so only one thread grows the pool.
static int ensure_workers(int wanted)
{
    if (wanted > MAX_WORKERS) wanted = MAX_WORKERS;
    while (workers < wanted) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attr, worker_main, (void *)(intptr_t)(workers + 1));
        pthread_attr_destroy(&attr);
        if (failed) break;
        workers++;
    }
    // A new worker must read the current generation before the first job is published,
    // or it would sleep through that job.
    while (atomic_load_explicit(&started, memory_order_acquire) < workers) sched_yield();
    return workers;
}

void ck_pool_run(int count, ck_task task, void *ctx)
{
    if (count > 1 && !atomic_flag_test_and_set_explicit(&busy, memory_order_acquire)) {
        int helpers = ensure_workers(count - 1);
        if (helpers + 1 < count) count = helpers + 1;
        if (count > 1) {
            job_task = task;
            job_ctx = ctx;
            job_count = count;
            // Every worker acknowledges each generation, even those without a share.
            atomic_store_explicit(&pending, workers, memory_order_relaxed);
            pthread_mutex_lock(&lock);
            atomic_fetch_add_explicit(&generation, 1, memory_order_release);
            pthread_cond_broadcast(&wake);
            pthread_mutex_unlock(&lock);
            task(ctx, 0, count);
            for (int spins = 0; atomic_load_explicit(&pending, memory_order_acquire) > 0; spins++)
                if (spins > SPIN_ROUNDS) sched_yield(); else CK_PAUSE();
            atomic_flag_clear_explicit(&busy, memory_order_release);
            return;
        }
        atomic_flag_clear_explicit(&busy, memory_order_release);
    }
    for (int i = 0; i < count; i++) task(ctx, i, count);
}

// Scratch buffers: a thread-local pointer for speed, a pthread key so they are freed when
// a thread exits.
typedef struct { void *data[2]; size_t size[2]; } scratch_t;
static _Thread_local scratch_t *scratch;
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *p)
{
    scratch_t *s = p;
    free(s->data[0]);
    free(s->data[1]);
    free(s);
}
static void scratch_init(void) { pthread_key_create(&scratch_key, scratch_free); }

void *ck_scratch(int slot, size_t bytes)
{
    if (!scratch) {
        pthread_once(&scratch_once, scratch_init);
        scratch = calloc(1, sizeof *scratch);
        if (!scratch) abort();
        pthread_setspecific(scratch_key, scratch);
    }
    if (scratch->size[slot] < bytes) {
        size_t size = (bytes + 4095) & ~(size_t)4095;
        free(scratch->data[slot]);
        scratch->data[slot] = aligned_alloc(64, size);
        if (!scratch->data[slot]) abort();
        scratch->size[slot] = size;
    }
    return scratch->data[slot];
}
