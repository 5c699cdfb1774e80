/*
 * his_batch.c - the hand-over of records from the HIS export's parser
 * (his.c) to their conversion into rows (his_row.c): full batches go to a
 * conversion thread when the machine has two CPUs (parsing and interning
 * then overlap), else they are converted at once on the parser's thread.
 *
 * Invariants: batches are converted in the order they were delivered, so
 * the rows, and the first error, do not depend on threads; once conversion
 * fails, the parser is told to stop (his_pl_deliver returns -1) and no
 * further batch is converted; at most HIS_NBATCH batches exist.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "his_internal.h"

int his_batch_alloc(struct his_batch *b)
{
	b->rec = malloc(HIS_BATCH_RECS * sizeof *b->rec);
	b->bcap = 128 * 1024; /* HIS_BATCH_RECS records of a usual export's cells */
	b->bytes = malloc(b->bcap);
	b->nrec = b->blen = 0;
	if (b->rec)
		b->rec[0].cset = 0;
	return b->rec && b->bytes ? 0 : -1;
}

static void *conv_thread(void *arg)
{
	struct his_pipeline *pl = arg;
	pthread_mutex_lock(&pl->mu);
	for (;;) {
		while (pl->nfull == 0 && !pl->done)
			pthread_cond_wait(&pl->cv, &pl->mu);
		if (pl->nfull == 0)
			break;
		struct his_batch *b = pl->full[pl->fhead];
		pl->fhead = (pl->fhead + 1) % HIS_NBATCH;
		pl->nfull--;
		pl->busy = 1;
		pthread_mutex_unlock(&pl->mu);
		if (pl->conv->status == BULU_OK)
			his_conv_batch(pl->conv, b);
		int failed = pl->conv->status != BULU_OK;
		pthread_mutex_lock(&pl->mu);
		pl->busy = 0;
		pl->spare[pl->nspare++] = b;
		if (failed)
			pl->stop = 1;
		pthread_cond_broadcast(&pl->cv);
	}
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

void his_pl_start_thread(struct his_pipeline *pl)
{
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	for (int i = 1; i < HIS_NBATCH; i++)
		if (his_batch_alloc(&pl->b[i]) != 0)
			return; /* freed with the pipeline */
	if (pthread_mutex_init(&pl->mu, NULL) != 0)
		return;
	if (pthread_cond_init(&pl->cv, NULL) != 0) {
		pthread_mutex_destroy(&pl->mu);
		return;
	}
	pl->nspare = 0;
	for (int i = 1; i < HIS_NBATCH; i++)
		pl->spare[pl->nspare++] = &pl->b[i];
	if (pthread_create(&pl->th, NULL, conv_thread, pl) != 0) {
		pthread_cond_destroy(&pl->cv);
		pthread_mutex_destroy(&pl->mu);
		return;
	}
	pl->threaded = 1;
}

int his_pl_deliver(struct his_pipeline *pl, struct his_batch **cur)
{
	struct his_batch *b = *cur;
	if (!pl->threaded) {
		int rc = b->nrec ? his_conv_batch(pl->conv, b) : pl->conv->status;
		b->nrec = b->blen = 0;
		b->rec[0].cset = 0;
		return rc == BULU_OK ? 0 : -1;
	}
	pthread_mutex_lock(&pl->mu);
	if (b->nrec) {
		pl->full[(pl->fhead + pl->nfull) % HIS_NBATCH] = b;
		pl->nfull++;
		pthread_cond_broadcast(&pl->cv);
		while (pl->nspare == 0)
			pthread_cond_wait(&pl->cv, &pl->mu);
		b = pl->spare[--pl->nspare];
	}
	int stop = pl->stop;
	pthread_mutex_unlock(&pl->mu);
	b->nrec = b->blen = 0;
	b->rec[0].cset = 0;
	*cur = b;
	return stop ? -1 : 0;
}

int his_pl_drain(struct his_pipeline *pl)
{
	if (!pl->threaded)
		return pl->conv->status == BULU_OK ? 0 : -1;
	pthread_mutex_lock(&pl->mu);
	while (pl->nfull > 0 || pl->busy)
		pthread_cond_wait(&pl->cv, &pl->mu);
	int stop = pl->stop;
	pthread_mutex_unlock(&pl->mu);
	return stop ? -1 : 0;
}

void his_pl_finish(struct his_pipeline *pl)
{
	if (pl->threaded) {
		pthread_mutex_lock(&pl->mu);
		pl->done = 1;
		pthread_cond_broadcast(&pl->cv);
		pthread_mutex_unlock(&pl->mu);
		pthread_join(pl->th, NULL);
		pthread_cond_destroy(&pl->cv);
		pthread_mutex_destroy(&pl->mu);
		pl->threaded = 0;
	}
	for (int i = 0; i < HIS_NBATCH; i++) {
		free(pl->b[i].rec);
		free(pl->b[i].bytes);
		memset(&pl->b[i], 0, sizeof pl->b[i]);
	}
}
