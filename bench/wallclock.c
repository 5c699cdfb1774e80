/*
 * wallclock.c - times whole processes for the benchmarks: fork, exec,
 * waitpid, as a user at a terminal would see it.
 *
 * Several commands, separated by ":::", are run in rounds (A B C, A B C, ...)
 * so that drift of a noisy machine falls on all of them alike.  W warm-up
 * rounds are run first and not counted.  For each command it prints
 *
 *   wall label=L runs=K min=S median=S max=S cpu_median=S maxrss_kb=N
 *
 * with times in seconds (cpu = user + system time of the child).  The
 * child's stdout goes to /dev/null unless -s is given, its stdin is
 * /dev/null and its stderr is inherited.  A command that exits non-zero
 * stops everything: wallclock says which and exits 1 (a failed run is no
 * measurement).  With -e MAX, exit statuses up to MAX count as a run too
 * (`bulu reconcile` exits 1 when it reports findings); a signal never does.
 *
 *   wallclock [-k K] [-w W] [-s] [-e MAX] [-l LABEL]... -- CMD [ARG...] [::: CMD [ARG...]]...
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 8
#define MAX_LABELS MAX_CMDS

struct cmd {
	char **argv;
	const char *label;
	double *wall, *cpu;
	long maxrss_kb;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Run c once; store wall and cpu seconds.  Returns 0, or -1 after saying
 * why on stderr. */
static int run_once(struct cmd *c, int keep_stdout, int max_ok, double *wall, double *cpu)
{
	double t0 = now_s();
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "wallclock: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			if (!keep_stdout)
				dup2(null, 1);
			if (null > 2)
				close(null);
		}
		execvp(c->argv[0], c->argv);
		fprintf(stderr, "wallclock: %s: %s\n", c->argv[0], strerror(errno));
		_exit(127);
	}
	int status;
	struct rusage ru;
	pid_t w;
	do
		w = wait4(pid, &status, 0, &ru);
	while (w < 0 && errno == EINTR);
	*wall = now_s() - t0;
	if (w < 0) {
		fprintf(stderr, "wallclock: wait: %s\n", strerror(errno));
		return -1;
	}
	*cpu = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
	if (ru.ru_maxrss > c->maxrss_kb)
		c->maxrss_kb = ru.ru_maxrss;
	if (WIFEXITED(status) && WEXITSTATUS(status) <= max_ok)
		return 0;
	if (WIFEXITED(status))
		fprintf(stderr, "wallclock: %s: exit status %d\n", c->label, WEXITSTATUS(status));
	else
		fprintf(stderr, "wallclock: %s: killed by signal %d\n", c->label,
			WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: wallclock [-k K] [-w W] [-s] [-e MAX] [-l LABEL]... -- CMD [ARG...] "
			"[::: CMD [ARG...]]...\n");
}

int main(int argc, char **argv)
{
	int k = 1, warm = 0, keep_stdout = 0, max_ok = 0, nlabels = 0, opt;
	const char *labels[MAX_LABELS];
	while ((opt = getopt(argc, argv, "+k:w:se:l:h")) != -1) {
		switch (opt) {
		case 'k':
			k = atoi(optarg);
			break;
		case 'w':
			warm = atoi(optarg);
			break;
		case 's':
			keep_stdout = 1;
			break;
		case 'e':
			max_ok = atoi(optarg);
			break;
		case 'l':
			if (nlabels == MAX_LABELS) {
				fprintf(stderr, "wallclock: at most %d labels\n", MAX_LABELS);
				return 2;
			}
			labels[nlabels++] = optarg;
			break;
		default:
			usage();
			return opt == 'h' ? 0 : 2;
		}
	}
	if (k < 1 || warm < 0 || max_ok < 0 || max_ok > 255 || optind >= argc) {
		usage();
		return 2;
	}

	/* Split the rest at ":::" into commands (argv is ours to cut). */
	struct cmd cmds[MAX_CMDS];
	int ncmd = 0;
	for (int i = optind; i < argc;) {
		if (ncmd == MAX_CMDS) {
			fprintf(stderr, "wallclock: at most %d commands\n", MAX_CMDS);
			return 2;
		}
		int end = i;
		while (end < argc && strcmp(argv[end], ":::") != 0)
			end++;
		if (end == i) {
			usage();
			return 2;
		}
		struct cmd *c = &cmds[ncmd];
		c->argv = &argv[i];
		c->label = ncmd < nlabels ? labels[ncmd] : argv[i];
		c->wall = calloc((size_t)k, sizeof *c->wall);
		c->cpu = calloc((size_t)k, sizeof *c->cpu);
		c->maxrss_kb = 0;
		if (!c->wall || !c->cpu) {
			fprintf(stderr, "wallclock: out of memory\n");
			return 1;
		}
		ncmd++;
		if (end < argc)
			argv[end] = NULL; /* terminates this command's argv */
		i = end + 1;
	}

	for (int r = 0; r < warm + k; r++) {
		for (int c = 0; c < ncmd; c++) {
			double wall, cpu;
			if (run_once(&cmds[c], keep_stdout, max_ok, &wall, &cpu) != 0)
				return 1;
			if (r >= warm) {
				cmds[c].wall[r - warm] = wall;
				cmds[c].cpu[r - warm] = cpu;
			}
		}
	}

	for (int c = 0; c < ncmd; c++) {
		struct cmd *m = &cmds[c];
		double med = median(m->wall, k); /* sorts wall */
		printf("wall label=%s runs=%d min=%.6f median=%.6f max=%.6f cpu_median=%.6f maxrss_kb=%ld\n",
		       m->label, k, m->wall[0], med, m->wall[k - 1], median(m->cpu, k), m->maxrss_kb);
		free(m->wall);
		free(m->cpu);
	}
	return 0;
}
