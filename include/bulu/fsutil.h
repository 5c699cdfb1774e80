/*
 * fsutil.h - files written so that a crash or a pulled USB stick never
 * leaves a half file under the final name.
 */
#ifndef BULU_FSUTIL_H
#define BULU_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>
#include "bulu/err.h"

/* Write data to a new temporary file beside path (path.tmp.RANDOM, created
 * with O_EXCL | O_NOFOLLOW: a planted file or symlink is never opened), with
 * mode, fsync, rename over path, fsync the directory.  On failure the
 * temporary file is removed and path untouched. */
int fs_write_atomic(const char *path, const void *data, size_t n, mode_t mode,
                    bulu_err *e);

/* fsync the directory holding path. */
/* The same, written piece by piece: open, write..., then commit (fsync,
 * rename, fsync the directory) or abort (the temporary file is removed;
 * a failed write or commit aborts by itself). */
typedef struct fs_atomic {
	int fd;
	mode_t mode;
	char path[4096], tmp[4160];
} fs_atomic;
int fs_atomic_open(fs_atomic *a, const char *path, mode_t mode, bulu_err *e);
int fs_atomic_write(fs_atomic *a, const void *data, size_t n, bulu_err *e);
int fs_atomic_commit(fs_atomic *a, bulu_err *e);
void fs_atomic_abort(fs_atomic *a);
/* fs_atomic_commit in two halves, for a group of files that is to be
 * replaced together: fs_atomic_sync makes the new contents durable under
 * the temporary name (fchmod, fsync, close; path untouched), and
 * fs_atomic_publish renames it over path without syncing the directory.
 * Sync every file of the group (side by side), publish them only when all
 * are synced (else abort them all: nothing is replaced), then fs_sync_dir
 * each directory once: two waits for the disk instead of two per file.
 * A failure of either aborts a (the temporary file is removed). */
int fs_atomic_sync(fs_atomic *a, bulu_err *e);
int fs_atomic_publish(fs_atomic *a, bulu_err *e);
int fs_sync_dir(const char *path);

/* mkdir -p with mode for each created level. */
int fs_mkdirs(const char *path, mode_t mode, bulu_err *e);

/* 1 if path exists. */
int fs_exists(const char *path);

/* Read a whole input file that must be a regular file of at most max bytes
 * (malloc'd, NUL-terminated): a FIFO, a device (a link to /dev/zero), a
 * directory or a socket is refused without reading a byte, as is a file
 * over max (BULU_BADINPUT naming the file, escaped). */
int fs_read_regular(const char *path, size_t max, char **out, size_t *outlen, bulu_err *e);

/* name made safe to print on one line: control characters, DEL, a
 * backslash and bytes that are not UTF-8 become \n, \t, \r, \\ or \xHH (so a
 * newline in a file name cannot forge a log line); cut with "..." to fit n.
 * Returns out. */
#define FS_NAME_SHOWN 1024
const char *fs_name_shown(const char *name, char *out, size_t n);

#endif
