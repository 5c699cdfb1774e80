/*
 * replay.h - main() for a fuzz target built without libFuzzer: feed it each
 * file named on the command line (directories: every file inside), so the
 * corpus runs in `make check` under the normal and the sanitizer builds.
 */
#ifndef BULU_REPLAY_H
#define BULU_REPLAY_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

#ifdef BULU_LIBFUZZER
#define REPLAY_MAIN
#else
static size_t replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t cap = 1 << 16, n = 0;
	uint8_t *d = malloc(cap);
	size_t r;
	while (d && (r = fread(d + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			uint8_t *g = realloc(d, cap *= 2);
			if (!g)
				break;
			d = g;
		}
	}
	fclose(f);
	if (!d)
		return 0;
	LLVMFuzzerTestOneInput(d, n);
	free(d);
	return 1;
}

static size_t replay_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	size_t count = 0;
	DIR *dir = opendir(path);
	struct dirent *de;
	char p[4096];
	while (dir && (de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s", path, de->d_name);
		count += replay_path(p);
	}
	if (dir)
		closedir(dir);
	return count;
}

#define REPLAY_MAIN                                                        \
	int main(int argc, char **argv)                                    \
	{                                                                  \
		size_t count = 0;                                          \
		for (int i = 1; i < argc; i++)                             \
			count += replay_path(argv[i]);                     \
		printf("%s: replayed %zu inputs\n", argv[0], count);      \
		return count > 0 ? 0 : 1;                                  \
	}
#endif
#endif
