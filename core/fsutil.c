/*
 * fsutil.c - atomic file replacement, careful reading and directory helpers.
 * Invariants: the final name either holds the old contents or the complete
 * new contents; the temporary file is a new file of our own (an unpredictable
 * name created with O_EXCL | O_NOFOLLOW in the target directory, so nothing
 * planted there beforehand, a symlink least of all, is ever opened or
 * followed); fs_read_regular reads only a regular file, never more than its
 * limit, and never blocks on a FIFO or a device.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "bulu/fsutil.h"
#include "bulu/text.h"

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
	a->mode = mode;
	a->fd = -1;
	/* NAME.tmp.<16 random hex digits>: a name nobody can plant beforehand,
	 * created new (O_EXCL: not an existing file, not a symlink, dangling or
	 * not) and never through a symlink (O_NOFOLLOW).  A clash is retried. */
	for (int tries = 0; tries < 16 && a->fd < 0; tries++) {
		uint8_t r[8];
		char hex[2 * sizeof r + 1];
		randombytes_buf(r, sizeof r);
		for (size_t i = 0; i < sizeof r; i++)
			snprintf(hex + 2 * i, 3, "%02x", r[i]);
		snprintf(a->tmp, sizeof a->tmp, "%s.tmp.%s", path, hex);
		a->fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0777);
		if (a->fd < 0 && errno != EEXIST)
			break;
	}
	if (a->fd < 0) {
		int err = errno;
		a->tmp[0] = '\0';
		char shown[FS_NAME_SHOWN];
		return bulu_errf(e, errcode(err), "cannot write %s: %s", fs_name_shown(path, shown, sizeof shown),
				 strerror(err));
	}
	return BULU_OK;
}

static int atomic_fail(fs_atomic *a, bulu_err *e)
{
	int err = errno;
	fs_atomic_abort(a);
	char shown[FS_NAME_SHOWN];
	return bulu_errf(e, errcode(err), "cannot write %s: %s", fs_name_shown(a->path, shown, sizeof shown),
			 strerror(err));
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
	if (a->tmp[0])
		unlink(a->tmp);
	a->tmp[0] = '\0';
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

int fs_read_regular(const char *path, size_t max, char **out, size_t *outlen, bulu_err *e)
{
	char shown[FS_NAME_SHOWN];
	*out = NULL;
	*outlen = 0;
	fs_name_shown(path, shown, sizeof shown);
	/* O_NONBLOCK: opening a FIFO with no writer returns at once instead of
	 * waiting; the fstat below then refuses it before a byte is read. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return bulu_errf(e, BULU_BADINPUT, "%s: %s", shown, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int err = errno;
		close(fd);
		return bulu_errf(e, BULU_BADINPUT, "%s: %s", shown, strerror(err));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return bulu_errf(e, BULU_BADINPUT, "%s is not a regular file (%s): not read", shown,
				 S_ISDIR(st.st_mode)    ? "a directory"
				 : S_ISFIFO(st.st_mode) ? "a FIFO"
				 : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
				 : S_ISSOCK(st.st_mode) ? "a socket"
							: "not a file");
	}
	if ((uint64_t)st.st_size > (uint64_t)max) {
		close(fd);
		return bulu_errf(e, BULU_BADINPUT, "%s is %lld bytes, over the limit of %zu: not read", shown,
				 (long long)st.st_size, max);
	}
	size_t cap = (size_t)st.st_size + 1, len = 0;
	char *p = malloc(cap);
	if (!p) {
		close(fd);
		return bulu_errf(e, BULU_SYSTEM, "out of memory reading %s", shown);
	}
	/* Read what fstat said, and one byte more to see whether the file grew
	 * meanwhile: never past max whatever happens. */
	for (;;) {
		ssize_t r = read(fd, p + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;
			free(p);
			close(fd);
			return bulu_errf(e, BULU_BADINPUT, "%s: %s", shown, strerror(err));
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == cap) {
			free(p);
			close(fd);
			return bulu_errf(e, BULU_BADINPUT, "%s changed while it was read: not read", shown);
		}
	}
	close(fd);
	p[len] = '\0';
	*out = p;
	*outlen = len;
	return BULU_OK;
}

const char *fs_name_shown(const char *name, char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	if (!n)
		return out;
	const unsigned char *s = (const unsigned char *)name;
	size_t len = strlen(name);
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		char esc[8];
		size_t k = 0, take = 1;
		/* A valid multi-byte UTF-8 sequence (a Chinese name) passes as is. */
		size_t seq = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (seq && i + seq <= len && text_is_utf8((const char *)s + i, seq)) {
			take = seq;
			memcpy(esc, s + i, seq);
			k = seq;
		} else if (c == '\\') {
			esc[k++] = '\\', esc[k++] = '\\';
		} else if (c == '\n') {
			esc[k++] = '\\', esc[k++] = 'n';
		} else if (c == '\t') {
			esc[k++] = '\\', esc[k++] = 't';
		} else if (c == '\r') {
			esc[k++] = '\\', esc[k++] = 'r';
		} else if (c < 0x20 || c >= 0x7f) {
			esc[k++] = '\\', esc[k++] = 'x', esc[k++] = hex[c >> 4], esc[k++] = hex[c & 15];
		} else {
			esc[k++] = (char)c;
		}
		if (o + k + 4 > n) { /* room for "..." and the NUL */
			if (o + 4 <= n)
				memcpy(out + o, "...", 3), o += 3;
			break;
		}
		memcpy(out + o, esc, k);
		o += k;
		i += take;
	}
	out[o < n ? o : n - 1] = '\0';
	return out;
}
