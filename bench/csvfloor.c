/*
 * csvfloor.c - the floor of benchmark B4: one parse-only pass over a CSV
 * file with libcsv, as fast as libcsv goes.
 *
 * The file is read in chunks of 256 KiB and fed to csv_parse with field and
 * row callbacks that only count; the parser options are the ones bulu's own
 * CSV reading uses (CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL |
 * CSV_REPALL_NL), so the floor does the same tokenizing work and nothing
 * else: no decoding, no copying, no field conversion, no matching.  Prints
 *
 *   csvfloor rows=R fields=F bytes=B
 *
 * (R counts records, the header included).  Exit 0, or 2 when the file
 * cannot be read or is not well-formed CSV.
 *
 *   csvfloor FILE
 */
#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (256 * 1024)

struct counts {
	unsigned long long rows, fields, bytes;
};

static void on_field(void *s, size_t len, void *ud)
{
	struct counts *c = ud;
	(void)s;
	(void)len;
	c->fields++;
}

static void on_row(int term, void *ud)
{
	struct counts *c = ud;
	(void)term;
	c->rows++;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: csvfloor FILE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		fprintf(stderr, "csvfloor: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_REPALL_NL) != 0) {
		fprintf(stderr, "csvfloor: csv_init failed\n");
		fclose(f);
		return 2;
	}
	char *chunk = malloc(CHUNK);
	if (!chunk) {
		fprintf(stderr, "csvfloor: out of memory\n");
		fclose(f);
		return 2;
	}
	struct counts c = {0, 0, 0};
	size_t n;
	int st = 0;
	while ((n = fread(chunk, 1, CHUNK, f)) > 0) {
		c.bytes += n;
		if (csv_parse(&p, chunk, n, on_field, on_row, &c) != n) {
			fprintf(stderr, "csvfloor: %s: %s near byte %llu\n", argv[1],
				csv_strerror(csv_error(&p)), c.bytes);
			st = 2;
			break;
		}
	}
	if (st == 0 && ferror(f)) {
		fprintf(stderr, "csvfloor: %s: read error\n", argv[1]);
		st = 2;
	}
	if (st == 0 && csv_fini(&p, on_field, on_row, &c) != 0) {
		fprintf(stderr, "csvfloor: %s: %s at the end\n", argv[1], csv_strerror(csv_error(&p)));
		st = 2;
	}
	csv_free(&p);
	free(chunk);
	fclose(f);
	if (st == 0)
		printf("csvfloor rows=%llu fields=%llu bytes=%llu\n", c.rows, c.fields, c.bytes);
	return st;
}
