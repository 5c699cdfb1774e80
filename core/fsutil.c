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

int fs_write_atomic(const char *path, const void *data, size_t n, mode_t mode,
		    bulu_err *e)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return bulu_errf(e, errcode(errno), "cannot write %s: %s", path, strerror(errno));
	const char *p = data;
	size_t left = n;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		p += w;
		left -= (size_t)w;
	}
	if (fchmod(fd, mode) != 0 || fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	fs_sync_dir(path);
	return BULU_OK;
fail:;
	int err = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return bulu_errf(e, errcode(err), "cannot write %s: %s", path, strerror(err));
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
