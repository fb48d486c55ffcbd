// Loads rec.bpf.o, attaches each variant (connect4 + sockops) to a cgroup of its own, and dials a
// loopback listener from each cgroup in turn, round after round (rotated), reading the programs' bpf_stats
// around each block: connect4 ns per connect and sockops ns per connection, each variant paired with
// "none" in the same round. Holds BPF_ENABLE_STATS only while it runs (no sysctl is changed); pins
// nothing; removes its cgroups and detaches on exit. Usage (root): ./run ROUNDS CONNECTS_PER_BLOCK
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

/* Ctrl-C or SIGTERM: finish the block, then clean up as on success (links die with the process
 * anyway; the cgroups would not). */
static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

#define NV 5
static const char *names[NV] = { "none", "sk_storage", "hash", "hash_noprealloc", "lru_hash" };
static const char *cprog[NV] = { "c_none", "c_st", "c_h", "c_hn", "c_lru" };
static const char *oprog[NV] = { "o_none", "o_none", "o_h", "o_hn", "o_lru" };
static char cg[NV][256];
static int cgfd[NV];

static void stats(int fd, __u64 *ns, __u64 *cnt) {
	struct bpf_prog_info info = {}; __u32 len = sizeof(info);
	bpf_obj_get_info_by_fd(fd, &info, &len); *ns = info.run_time_ns; *cnt = info.run_cnt;
}
static void enter(const char *dir) {
	char p[300]; snprintf(p, sizeof p, "%s/cgroup.procs", dir);
	int f = open(p, O_WRONLY); dprintf(f, "%d\n", getpid()); close(f);
}
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv) {
	int rounds = atoi(argv[1]), per = atoi(argv[2]);
	signal(SIGINT, on_signal); signal(SIGTERM, on_signal);
	int statsfd = bpf_enable_stats(BPF_STATS_RUN_TIME); /* held while we run; no sysctl changed */
	if (statsfd < 0) { perror("bpf_enable_stats"); return 1; }
	struct bpf_object *obj = bpf_object__open_file("rec.bpf.o", NULL);
	if (!obj || bpf_object__load(obj)) { fprintf(stderr, "load failed\n"); return 1; }
	struct bpf_link *links[2 * NV] = {};
	int cfd[NV], ofd[NV], rc = 0;
	for (int v = 0; v < NV; v++) {
		snprintf(cg[v], sizeof cg[v], "/sys/fs/cgroup/unified/kmb-record-cost-%d-%d", getpid(), v);
		mkdir(cg[v], 0755);
		cgfd[v] = open(cg[v], O_RDONLY);
		struct bpf_program *c = bpf_object__find_program_by_name(obj, cprog[v]), *o = bpf_object__find_program_by_name(obj, oprog[v]);
		links[2 * v] = bpf_program__attach_cgroup(c, cgfd[v]);
		links[2 * v + 1] = bpf_program__attach_cgroup(o, cgfd[v]);
		cfd[v] = bpf_program__fd(c); ofd[v] = bpf_program__fd(o);
		if (!links[2 * v] || !links[2 * v + 1]) { fprintf(stderr, "attach failed\n"); rc = 1; goto out; }
	}
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	bind(ls, (void *)&a, sizeof a); listen(ls, 1024);
	socklen_t al = sizeof a; getsockname(ls, (void *)&a, &al);
	double *cns[NV], *ons[NV];
	for (int v = 0; v < NV; v++) { cns[v] = calloc(rounds, sizeof(double)); ons[v] = calloc(rounds, sizeof(double)); }
	struct linger lg = { 1, 0 };
	for (int r = 0; r < rounds; r++) {
		if (stop) { rc = 130; goto out; }
		for (int i = 0; i < NV; i++) {
			int v = (i + r) % NV;
			__u64 c0, cc0, o0, oc0, c1, cc1, o1, oc1;
			enter(cg[v]);
			stats(cfd[v], &c0, &cc0); stats(ofd[v], &o0, &oc0);
			for (int k = 0; k < per; k++) {
				int s = socket(AF_INET, SOCK_STREAM, 0);
				if (connect(s, (void *)&a, sizeof a)) { perror("connect"); rc = 1; goto out; }
				int t = accept(ls, NULL, NULL);
				setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
				close(s); close(t);
			}
			stats(cfd[v], &c1, &cc1); stats(ofd[v], &o1, &oc1);
			cns[v][r] = (double)(c1 - c0) / per; ons[v][r] = (double)(o1 - o0) / per;
		}
	}
	enter("/sys/fs/cgroup/unified");
	for (int v = 0; v < NV; v++) {
		double d[rounds], e[rounds];
		for (int r = 0; r < rounds; r++) { d[r] = cns[v][r] + ons[v][r] - cns[0][r] - ons[0][r]; e[r] = cns[v][r] - cns[0][r]; }
		qsort(d, rounds, sizeof(double), cmp); qsort(e, rounds, sizeof(double), cmp);
		qsort(cns[v], rounds, sizeof(double), cmp); qsort(ons[v], rounds, sizeof(double), cmp);
		printf("%-15s connect4 %6.0f ns  sockops %6.0f ns  vs none: connect4 %+6.0f ns, connect4+sockops %+6.0f ns (median of %d paired rounds of %d)\n",
			names[v], cns[v][rounds / 2], ons[v][rounds / 2], e[rounds / 2], d[rounds / 2], rounds, per);
	}
out:
	enter("/sys/fs/cgroup/unified");
	for (int i = 0; i < 2 * NV; i++) if (links[i]) bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	for (int v = 0; v < NV; v++) { close(cgfd[v]); rmdir(cg[v]); }
	return rc;
}
