/*
 * signrate.c - the floors of benchmarks B1 and B3: how many Ed25519
 * signatures this machine makes (B1), or verifies (B3, -v), per second.
 *
 * Every journal entry carries an Ed25519 signature over its 32-byte hash, so
 * no bulk capture can save entries faster than one core signs 32-byte
 * messages (libsodium's crypto_sign_detached, one key).  This probe does
 * only that: N signatures on one thread, then N signatures spread over T
 * threads (for information: the journal signs a batch on all cores).  It
 * prints one line per figure, "signrate threads=T n=N seconds=S per_s=R".
 *
 * With -v it measures the floor of benchmark B3 instead: N verifications
 * (crypto_sign_verify_detached) of signatures over 32-byte messages, the
 * naive cost of checking every entry of a bundle one by one.  The messages
 * and their signatures are made beforehand (a pool of 1,024 distinct ones,
 * used in turn; not timed); every verification must succeed.  It prints
 * "verifyrate threads=T n=N seconds=S per_s=R".
 *
 *   signrate [-v] [-n N] [-t THREADS]     defaults: N = 100000, T = online cores
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#define MSG_BYTES 32
#define MAX_THREADS 64
#define POOL 1024 /* distinct signed messages for -v */

static unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
static unsigned char pool_msg[POOL][MSG_BYTES], pool_sig[POOL][crypto_sign_BYTES];
static volatile unsigned char sink; /* keeps the signatures observable */
static int verify_mode;

struct job {
	long from, to;
	unsigned char acc;
	long bad; /* -v: verifications that failed (must stay 0) */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sign messages from..to-1; message i is a fixed random prefix with i in
 * its first eight bytes, so no two messages are the same. */
static void *sign_range(void *arg)
{
	struct job *jb = arg;
	unsigned char msg[MSG_BYTES], sig[crypto_sign_BYTES];
	randombytes_buf(msg, sizeof msg);
	unsigned char acc = 0;
	for (long i = jb->from; i < jb->to; i++) {
		uint64_t v = (uint64_t)i;
		memcpy(msg, &v, sizeof v);
		crypto_sign_detached(sig, NULL, msg, sizeof msg, sk);
		acc ^= sig[0];
	}
	jb->acc = acc;
	return NULL;
}

/* Verify signatures from..to-1 of the pool, in turn. */
static void *verify_range(void *arg)
{
	struct job *jb = arg;
	long bad = 0;
	for (long i = jb->from; i < jb->to; i++) {
		long k = i % POOL;
		bad += crypto_sign_verify_detached(pool_sig[k], pool_msg[k], MSG_BYTES, pk) != 0;
	}
	jb->bad = bad;
	jb->acc = (unsigned char)bad;
	return NULL;
}

static void make_pool(void)
{
	for (int k = 0; k < POOL; k++) {
		randombytes_buf(pool_msg[k], MSG_BYTES);
		crypto_sign_detached(pool_sig[k], NULL, pool_msg[k], MSG_BYTES, sk);
	}
}

static double run(long n, int threads)
{
	pthread_t th[MAX_THREADS];
	struct job jobs[MAX_THREADS];
	void *(*fn)(void *) = verify_mode ? verify_range : sign_range;
	double t0 = now_s();
	for (int t = 0; t < threads; t++) {
		jobs[t] = (struct job){n * t / threads, n * (t + 1) / threads, 0, 0};
		if (threads == 1) {
			fn(&jobs[t]);
		} else if (pthread_create(&th[t], NULL, fn, &jobs[t]) != 0) {
			fprintf(stderr, "signrate: cannot start a thread\n");
			exit(1);
		}
	}
	for (int t = 0; threads > 1 && t < threads; t++)
		pthread_join(th[t], NULL);
	double dt = now_s() - t0;
	for (int t = 0; t < threads; t++) {
		sink ^= jobs[t].acc;
		if (jobs[t].bad) {
			fprintf(stderr, "signrate: %ld signatures failed to verify\n", jobs[t].bad);
			exit(1);
		}
	}
	return dt;
}

static void report(long n, int threads, double dt)
{
	printf("%s threads=%d n=%ld seconds=%.6f per_s=%.0f\n", verify_mode ? "verifyrate" : "signrate",
	       threads, n, dt, dt > 0 ? (double)n / dt : 0.0);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	long n = 100000;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int threads = cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : (int)cores;
	int opt;
	while ((opt = getopt(argc, argv, "vn:t:h")) != -1) {
		switch (opt) {
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 'v':
			verify_mode = 1;
			break;
		default:
			fprintf(stderr, "usage: signrate [-v] [-n N] [-t THREADS]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (n < 1 || threads < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "signrate: N must be >= 1 and THREADS 1..%d\n", MAX_THREADS);
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "signrate: libsodium failed to initialise\n");
		return 1;
	}
	crypto_sign_keypair(pk, sk);
	if (verify_mode)
		make_pool();

	run(n / 20 + 1, 1); /* warm up: page in, let the clock settle */
	report(n, 1, run(n, 1));
	if (threads > 1)
		report(n, threads, run(n, threads));
	sodium_memzero(sk, sizeof sk);
	return 0;
}
