/*
 * his_source.c - where the bytes of one HIS export come from (his.c reads
 * them): a file, standard input (a pipe) or memory, read a chunk at a time
 * and, for `auto` encoding, read again from the start.
 *
 * Invariants:
 *  - his_src_read fills the whole buffer unless the input ends: a short
 *    count means end of input (a read interrupted by a signal is resumed).
 *  - A source is read again only from where it started: a file from the
 *    offset it was handed at, memory from its first byte; a pipe cannot be,
 *    and his_src_rewind says so (-1).
 *  - The chunk is CHUNK_PIPE for what cannot be read again, else CHUNK_FILE;
 *    size is the bytes to come when known (a regular file, memory), else 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "his_internal.h"

/* Bytes read at a time.  A pipe's first chunk is the most an `auto` file
 * can show of itself before its encoding is settled for good (a pipe is not
 * read again), so a pipe's is 1 MiB, as docs/his-profiles.md promises; a
 * file or memory can be read again, and their chunk is smaller: a buffer
 * that stays in the CPU's cache, and a quarter of the pages to fault in. */
#define CHUNK_PIPE (1u << 20)
#define CHUNK_FILE (1u << 18)

int his_src_open(struct his_src *src, const char *path)
{
	memset(src, 0, sizeof *src);
	if (strcmp(path, "-") == 0) {
		src->fd = 0;
	} else {
		src->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (src->fd < 0)
			return -1;
		src->own = 1;
	}
	src->start = lseek(src->fd, 0, SEEK_CUR);
	src->seekable = src->start != (off_t)-1;
	src->chunk = src->seekable ? CHUNK_FILE : CHUNK_PIPE;
	struct stat st;
	if (src->seekable && fstat(src->fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size > src->start)
		src->size = (size_t)(st.st_size - src->start);
	return 0;
}

void his_src_mem(struct his_src *src, const char *data, size_t len)
{
	memset(src, 0, sizeof *src);
	src->fd = -1;
	src->mem = data;
	src->memlen = len;
	src->chunk = CHUNK_FILE;
	src->size = len;
}

void his_src_close(struct his_src *src)
{
	if (src->own)
		close(src->fd);
	src->own = 0;
}

/* Fill up to cap bytes (a short count only at end of input). */
ssize_t his_src_read(struct his_src *s, char *p, size_t cap)
{
	if (s->fd < 0) {
		size_t n = s->memlen - s->mempos < cap ? s->memlen - s->mempos : cap;
		if (n)
			memcpy(p, s->mem + s->mempos, n);
		s->mempos += n;
		return (ssize_t)n;
	}
	size_t got = 0;
	while (got < cap) {
		ssize_t r = read(s->fd, p + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int his_src_rewind(struct his_src *s)
{
	if (s->fd < 0) {
		s->mempos = 0;
		return 0;
	}
	if (!s->seekable)
		return -1;
	return lseek(s->fd, s->start, SEEK_SET) == (off_t)-1 ? -1 : 0;
}
