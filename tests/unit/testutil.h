/*
 * testutil.h - what several unit tests need: a temporary directory and its
 * removal.  Header-only, included by test files that use it.
 */
#ifndef BULU_TESTUTIL_H
#define BULU_TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Make a fresh directory $TMPDIR/bulu-NAME.XXXXXX into out; NULL on failure. */
static inline char *tu_mkdtemp(char *out, size_t n, const char *name)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(out, n, "%s/bulu-%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
	return mkdtemp(out);
}

/* Remove dir and everything below it. */
static inline void tu_rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[1024];
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		struct stat sb;
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			tu_rm_tree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

#endif
