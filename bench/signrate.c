/*
 * signrate.c - the floor of benchmark B1: how many Ed25519 signatures this
 * machine makes per second.
 *
 * Every journal entry carries an Ed25519 signature over its 32-byte hash, so
 * no bulk capture can save entries faster than one core signs 32-byte
 * messages (libsodium's crypto_sign_detached, one key).  This probe does
 * only that: N signatures on one thread, then N signatures spread over T
 * threads (for information: the journal signs a batch on all cores).  It
 * prints one line per figure, "signrate threads=T n=N seconds=S per_s=R".
 *
 *   signrate [-n N] [-t THREADS]     defaults: N = 100000, T = online cores
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

static unsigned char sk[crypto_sign_SECRETKEYBYTES];
static volatile unsigned char sink; /* keeps the signatures observable */

struct job {
	long from, to;
	unsigned char acc;
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

static double run(long n, int threads)
{
	pthread_t th[MAX_THREADS];
	struct job jobs[MAX_THREADS];
	double t0 = now_s();
	for (int t = 0; t < threads; t++) {
		jobs[t] = (struct job){n * t / threads, n * (t + 1) / threads, 0};
		if (threads == 1) {
			sign_range(&jobs[t]);
		} else if (pthread_create(&th[t], NULL, sign_range, &jobs[t]) != 0) {
			fprintf(stderr, "signrate: cannot start a thread\n");
			exit(1);
		}
	}
	for (int t = 0; threads > 1 && t < threads; t++)
		pthread_join(th[t], NULL);
	double dt = now_s() - t0;
	for (int t = 0; t < threads; t++)
		sink ^= jobs[t].acc;
	return dt;
}

static void report(long n, int threads, double dt)
{
	printf("signrate threads=%d n=%ld seconds=%.6f per_s=%.0f\n", threads, n, dt,
	       dt > 0 ? (double)n / dt : 0.0);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	long n = 100000;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int threads = cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : (int)cores;
	int opt;
	while ((opt = getopt(argc, argv, "n:t:h")) != -1) {
		switch (opt) {
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 't':
			threads = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: signrate [-n N] [-t THREADS]\n");
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
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	crypto_sign_keypair(pk, sk);

	run(n / 20 + 1, 1); /* warm up: page in, let the clock settle */
	report(n, 1, run(n, 1));
	if (threads > 1)
		report(n, threads, run(n, threads));
	sodium_memzero(sk, sizeof sk);
	return 0;
}
