// A persistent pthread pool for splitting large products, plus per-thread scratch buffers.
//
// A job is a list of chunks that the caller and the workers claim one at a time. The caller
// claims too and only waits for chunks already started, so a worker that the OS has not
// scheduled yet (the cores are shared) never stalls it: the caller just does more chunks.
// Workers are created lazily, spin for a while after a job (products of a training step follow
// each other within microseconds), then sleep on a condition variable.
#include "internal.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sched.h>
#if CK_X86
#include <immintrin.h>
#define CK_PAUSE() _mm_pause()
#else
#define CK_PAUSE() ((void)0)
#endif

// A worker spins about a millisecond before it sleeps: the products of a training step come
// closer together than that, and a sleeping worker joins a job late (with 4000 rounds one
// job in ten found it asleep in a RAM step; with 40000, one in five hundred). The caller,
// waiting for chunks already started, yields sooner.
enum { MAX_WORKERS = 63, WORKER_SPIN_ROUNDS = 40000, WAIT_SPIN_ROUNDS = 4000 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static atomic_uint generation;
// Generation in the high half, next unclaimed chunk in the low half: a claim succeeds only
// for the job it was meant for, even if the claiming worker woke up late.
static _Atomic uint64_t claim;
static atomic_int done;
static _Atomic(ck_task) job_task;
static _Atomic(void *) job_ctx;
static atomic_int job_chunks;
static atomic_flag busy = ATOMIC_FLAG_INIT;
static atomic_int started;
static int workers;

// Claims and runs chunks of generation `gen` until none is left.
static void run_chunks(unsigned gen)
{
    for (;;) {
        ck_task task = atomic_load_explicit(&job_task, memory_order_relaxed);
        void *ctx = atomic_load_explicit(&job_ctx, memory_order_relaxed);
        int chunks = atomic_load_explicit(&job_chunks, memory_order_relaxed);
        uint64_t word = atomic_load_explicit(&claim, memory_order_acquire);
        if ((unsigned)(word >> 32) != gen || (int)(uint32_t)word >= chunks) return;
        // Success proves the fields read above belong to `gen`: the caller cannot publish
        // another job while this chunk is unclaimed.
        if (!atomic_compare_exchange_weak_explicit(&claim, &word, word + 1, memory_order_acq_rel,
                                                   memory_order_relaxed))
            continue;
        task(ctx, (int)(uint32_t)word, chunks);
        atomic_fetch_add_explicit(&done, 1, memory_order_release);
    }
}

static void *worker_main(void *arg)
{
    (void)arg;
    unsigned seen = atomic_load_explicit(&generation, memory_order_acquire);
    atomic_fetch_add_explicit(&started, 1, memory_order_release);
    for (;;) {
        for (int spins = 0; spins < WORKER_SPIN_ROUNDS && atomic_load_explicit(&generation, memory_order_acquire) == seen; spins++)
            CK_PAUSE();
        if (atomic_load_explicit(&generation, memory_order_acquire) == seen) {
            pthread_mutex_lock(&lock);
            while (atomic_load_explicit(&generation, memory_order_acquire) == seen)
                pthread_cond_wait(&wake, &lock);
            pthread_mutex_unlock(&lock);
        }
        seen = atomic_load_explicit(&generation, memory_order_acquire);
        run_chunks(seen);
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
        int failed = pthread_create(&thread, &attr, worker_main, NULL);
        pthread_attr_destroy(&attr);
        if (failed) break;
        workers++;
    }
    // A new worker must read the current generation before the first job is published,
    // or it would sleep through that job.
    while (atomic_load_explicit(&started, memory_order_acquire) < workers) sched_yield();
    return workers;
}

void ck_pool_run(int threads, int chunks, ck_task task, void *ctx)
{
    if (threads > 1 && chunks > 1 && !atomic_flag_test_and_set_explicit(&busy, memory_order_acquire)) {
        if (ensure_workers(threads - 1) > 0) {
            unsigned gen = atomic_load_explicit(&generation, memory_order_relaxed) + 1;
            atomic_store_explicit(&job_task, task, memory_order_relaxed);
            atomic_store_explicit(&job_ctx, ctx, memory_order_relaxed);
            atomic_store_explicit(&job_chunks, chunks, memory_order_relaxed);
            atomic_store_explicit(&done, 0, memory_order_relaxed);
            atomic_store_explicit(&claim, (uint64_t)gen << 32, memory_order_release);
            pthread_mutex_lock(&lock);
            atomic_store_explicit(&generation, gen, memory_order_release);
            pthread_cond_broadcast(&wake);
            pthread_mutex_unlock(&lock);
            run_chunks(gen);
            for (int spins = 0; atomic_load_explicit(&done, memory_order_acquire) < chunks; spins++)
                if (spins > WAIT_SPIN_ROUNDS) sched_yield(); else CK_PAUSE();
            atomic_flag_clear_explicit(&busy, memory_order_release);
            return;
        }
        atomic_flag_clear_explicit(&busy, memory_order_release);
    }
    for (int i = 0; i < chunks; i++) task(ctx, i, chunks);
}

void ck_parallel_for(int chunks, ck_task task, void *ctx)
{
    ck_pool_run(atomic_load_explicit(&ck_threads_wanted, memory_order_relaxed), chunks, task, ctx);
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
