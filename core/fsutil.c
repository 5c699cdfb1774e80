/*
 * fsutil.c - atomic file replacement and directory helpers.  Invariant: the
 * final name either holds the old contents or the complete new contents.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bulu/fsutil.h"

/* Every write failure is the system's (disk full, read-only media, I/O). */
static int errcode(int err)
{
	(void)err;
	return BULU_SYSTEM;
}

int fs_sync_dir(const char *path)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int fs_atomic_open(fs_atomic *a, const char *path, mode_t mode, bulu_err *e)
{
	snprintf(a->path, sizeof a->path, "%s", path);
	snprintf(a->tmp, sizeof a->tmp, "%s.tmp.%ld", path, (long)getpid());
	a->mode = mode;
	a->fd = open(a->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (a->fd < 0)
		return bulu_errf(e, errcode(errno), "cannot write %s: %s", path, strerror(errno));
	return BULU_OK;
}

static int atomic_fail(fs_atomic *a, bulu_err *e)
{
	int err = errno;
	fs_atomic_abort(a);
	return bulu_errf(e, errcode(err), "cannot write %s: %s", a->path, strerror(err));
}

int fs_atomic_write(fs_atomic *a, const void *data, size_t n, bulu_err *e)
{
	const char *p = data;
	while (n > 0) {
		ssize_t w = write(a->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return atomic_fail(a, e);
		p += w;
		n -= (size_t)w;
	}
	return BULU_OK;
}

int fs_atomic_commit(fs_atomic *a, bulu_err *e)
{
	if (fchmod(a->fd, a->mode) != 0 || fsync(a->fd) != 0)
		return atomic_fail(a, e);
	int fd = a->fd;
	a->fd = -1;
	if (close(fd) != 0 || rename(a->tmp, a->path) != 0)
		return atomic_fail(a, e);
	fs_sync_dir(a->path);
	return BULU_OK;
}

int fs_atomic_sync(fs_atomic *a, bulu_err *e)
{
	if (fchmod(a->fd, a->mode) != 0 || fsync(a->fd) != 0)
		return atomic_fail(a, e);
	int fd = a->fd;
	a->fd = -1;
	if (close(fd) != 0)
		return atomic_fail(a, e);
	return BULU_OK;
}

int fs_atomic_publish(fs_atomic *a, bulu_err *e)
{
	if (rename(a->tmp, a->path) != 0)
		return atomic_fail(a, e);
	return BULU_OK;
}

void fs_atomic_abort(fs_atomic *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	unlink(a->tmp);
}

int fs_write_atomic(const char *path, const void *data, size_t n, mode_t mode,
		    bulu_err *e)
{
	fs_atomic a;
	int rc = fs_atomic_open(&a, path, mode, e);
	if (rc == BULU_OK)
		rc = fs_atomic_write(&a, data, n, e);
	if (rc == BULU_OK)
		rc = fs_atomic_commit(&a, e);
	return rc;
}

int fs_mkdirs(const char *path, mode_t mode, bulu_err *e)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST)
			return bulu_errf(e, BULU_SYSTEM, "cannot create %s: %s", p, strerror(errno));
		*s = '/';
	}
	if (mkdir(p, mode) != 0 && errno != EEXIST)
		return bulu_errf(e, BULU_SYSTEM, "cannot create %s: %s", p, strerror(errno));
	return BULU_OK;
}

int fs_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}
