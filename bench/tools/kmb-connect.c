// kmb-connect: the connect-path probe of `./kmesh bench`. Bounded loops only.
//   kmb-connect listen PORT                      accept and close on 0.0.0.0:PORT until killed
//   kmb-connect lat vip|ep SERVICES COUNT SEED   COUNT blocking connects, each to a pseudo-random
//                                                service's VIP:80 (vip) or one of its endpoints:9000 (ep);
//                                                prints "n= ok= err= p50= p90= p99= mean=" (ns)
//   kmb-connect wait ADDR PORT ok|refused TIMEOUT_MS
//                                                connects until the outcome matches; prints the
//                                                CLOCK_MONOTONIC ns of the first matching connect
//   kmb-connect alt NETNS SERVICES PER_BLOCK CYCLES SEED CGROUP,CONNECT_ID,SOCKOPS_ID ...
//                                                joins network namespace NETNS (/run/netns/NETNS) itself,
//                                                not through `ip netns exec`, whose own sysfs would hide
//                                                the cgroup tree; then alternates between the cgroups (moves
//                                                itself into each in turn, rotated every cycle) and
//                                                dials PER_BLOCK VIPs there; per block prints
//                                                "cycle= variant= ok= err= connect_ns= connect_cnt=
//                                                sockops_ns= sockops_cnt= p50=": the growth of the two
//                                                programs' bpf_stats (needs kernel.bpf_stats_enabled=1)
//                                                across the block, read in-process so blocks can be short
// Addresses (the harness generates the same ones): service s has VIP 127.20.(s/250).(s%250+1):80,
// endpoint k = s*10+e is 127.(100+k/62500).((k/250)%250).(k%250+1):9000.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/bpf.h>
#include <sys/syscall.h>

static uint64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct sockaddr_in addr4(uint32_t a, uint32_t b, uint32_t c, uint32_t d, int port) {
	struct sockaddr_in sa = {0};
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl((a << 24) | (b << 16) | (c << 8) | d);
	return sa;
}

static struct sockaddr_in vip(uint32_t s) { return addr4(127, 20, s / 250, s % 250 + 1, 80); }
static struct sockaddr_in ep(uint32_t k) { return addr4(127, 100 + k / 62500, (k / 250) % 250, k % 250 + 1, 9000); }

// One connect; returns 0 or errno. The socket is closed with RST (linger 0): no TIME_WAIT pile-up.
static int dial(const struct sockaddr_in *sa, uint64_t *took) {
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) return errno;
	uint64_t t0 = now_ns();
	int rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	uint64_t t1 = now_ns();
	int err = rc == 0 ? 0 : errno;
	struct linger l = {1, 0};
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
	if (took) *took = t1 - t0;
	return err;
}

static int cmp_u64(const void *a, const void *b) {
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t xorshift(uint64_t *s) {
	uint64_t x = *s;
	x ^= x << 13; x ^= x >> 7; x ^= x << 17;
	return *s = x;
}

// run_time_ns and run_cnt of a program by id (a fresh fd each time: nothing held between blocks).
static int prog_stats(uint32_t id, uint64_t *ns, uint64_t *cnt) {
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	int fd = (int)syscall(SYS_bpf, BPF_PROG_GET_FD_BY_ID, &attr, sizeof(attr));
	if (fd < 0) return -1;
	struct bpf_prog_info info;
	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uint64_t)(uintptr_t)&info;
	int rc = (int)syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr));
	close(fd);
	if (rc) return -1;
	*ns = info.run_time_ns;
	*cnt = info.run_cnt;
	return 0;
}

// Moves this process into a cgroup v2 directory: sockets it creates afterwards belong to it.
static int enter_cgroup(const char *dir) {
	char path[4096];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	int fd = open(path, O_WRONLY);
	if (fd < 0) return -1;
	int rc = write(fd, "0\n", 2) == 2 ? 0 : -1;
	close(fd);
	return rc;
}

#define ALT_MAX 8

static int alternate(int argc, char **argv) {
	char netns[4096];
	snprintf(netns, sizeof(netns), "/run/netns/%s", argv[2]);
	int nsfd = open(netns, O_RDONLY);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET)) { perror("alt: setns"); return 1; }
	close(nsfd);
	argv++;
	argc--;
	uint32_t services = (uint32_t)atoi(argv[2]);
	int per = atoi(argv[3]), cycles = atoi(argv[4]);
	uint64_t seed = (uint64_t)atoll(argv[5]) | 1;
	int n = argc - 6;
	char cgroup[ALT_MAX][4096];
	uint32_t connect_id[ALT_MAX], sockops_id[ALT_MAX];
	if (n < 1 || n > ALT_MAX || per < 1 || cycles < 1) { fprintf(stderr, "alt: 1..%d variants, PER_BLOCK and CYCLES > 0\n", ALT_MAX); return 2; }
	for (int v = 0; v < n; v++) {
		if (sscanf(argv[6 + v], "%4095[^,],%u,%u", cgroup[v], &connect_id[v], &sockops_id[v]) != 3) { fprintf(stderr, "alt: bad variant %s\n", argv[6 + v]); return 2; }
	}
	uint64_t *lat = calloc((size_t)per, sizeof(uint64_t));
	for (int c = 0; c < cycles; c++) {
		for (int j = 0; j < n; j++) {
			int v = (j + c) % n;
			uint64_t cn0, cc0, sn0, sc0, cn1, cc1, sn1, sc1;
			if (enter_cgroup(cgroup[v])) { perror("alt: cgroup.procs"); return 1; }
			if (prog_stats(connect_id[v], &cn0, &cc0) || prog_stats(sockops_id[v], &sn0, &sc0)) { perror("alt: prog info"); return 1; }
			int ok = 0, err = 0;
			for (int i = 0; i < per; i++) {
				struct sockaddr_in sa = vip((uint32_t)(xorshift(&seed) % services));
				uint64_t took = 0;
				if (dial(&sa, &took)) { err++; continue; }
				lat[ok++] = took;
			}
			if (prog_stats(connect_id[v], &cn1, &cc1) || prog_stats(sockops_id[v], &sn1, &sc1)) { perror("alt: prog info"); return 1; }
			qsort(lat, (size_t)ok, sizeof(uint64_t), cmp_u64);
			printf("cycle=%d variant=%d ok=%d err=%d connect_ns=%llu connect_cnt=%llu sockops_ns=%llu sockops_cnt=%llu p50=%llu\n", c, v, ok, err,
				(unsigned long long)(cn1 - cn0), (unsigned long long)(cc1 - cc0), (unsigned long long)(sn1 - sn0), (unsigned long long)(sc1 - sc0),
				(unsigned long long)(ok ? lat[(size_t)(ok - 1) / 2] : 0));
		}
	}
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv) {
	if (argc >= 8 && !strcmp(argv[1], "alt"))
		return alternate(argc, argv);
	if (argc >= 3 && !strcmp(argv[1], "listen")) {
		int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		struct sockaddr_in sa = addr4(0, 0, 0, 0, atoi(argv[2]));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4096)) { perror("listen"); return 1; }
		printf("listening\n");
		fflush(stdout);
		for (;;) {
			int c = accept(fd, NULL, NULL);
			if (c >= 0) close(c);
		}
	}
	if (argc >= 6 && !strcmp(argv[1], "lat")) {
		int useVip = !strcmp(argv[2], "vip");
		uint32_t services = (uint32_t)atoi(argv[3]);
		int count = atoi(argv[4]);
		uint64_t seed = (uint64_t)atoll(argv[5]) | 1;
		uint64_t *lat = calloc((size_t)count, sizeof(uint64_t));
		int ok = 0, err = 0, lastErr = 0;
		double sum = 0;
		for (int i = 0; i < count; i++) {
			uint32_t s = (uint32_t)(xorshift(&seed) % services);
			struct sockaddr_in sa = useVip ? vip(s) : ep(s * 10 + (uint32_t)(xorshift(&seed) % 10));
			uint64_t took = 0;
			int e = dial(&sa, &took);
			if (e) { err++; lastErr = e; continue; }
			lat[ok++] = took;
			sum += (double)took;
		}
		qsort(lat, (size_t)ok, sizeof(uint64_t), cmp_u64);
		#define P(q) (ok ? lat[(size_t)((ok - 1) * (q))] : 0)
		printf("n=%d ok=%d err=%d lasterr=%d p50=%llu p90=%llu p99=%llu mean=%.0f\n", count, ok, err, lastErr,
			(unsigned long long)P(0.50), (unsigned long long)P(0.90), (unsigned long long)P(0.99), ok ? sum / ok : 0.0);
		return 0;
	}
	if (argc >= 6 && !strcmp(argv[1], "wait")) {
		struct sockaddr_in sa = {0};
		sa.sin_family = AF_INET;
		sa.sin_port = htons((uint16_t)atoi(argv[3]));
		if (inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1) { fprintf(stderr, "bad address\n"); return 2; }
		int wantOk = !strcmp(argv[4], "ok");
		uint64_t deadline = now_ns() + (uint64_t)atoll(argv[5]) * 1000000ull;
		long attempts = 0;
		printf("started\n");
		fflush(stdout);
		while (now_ns() < deadline) {
			attempts++;
			int e = dial(&sa, NULL);
			uint64_t t = now_ns();
			if ((wantOk && e == 0) || (!wantOk && e == ECONNREFUSED)) {
				printf("seen=%llu attempts=%ld\n", (unsigned long long)t, attempts);
				return 0;
			}
			struct timespec pause = {0, 100000}; // 100 us between attempts: resolution vs CPU
			nanosleep(&pause, NULL);
		}
		printf("timeout attempts=%ld\n", attempts);
		return 3;
	}
	fprintf(stderr, "usage: kmb-connect listen PORT | lat vip|ep SERVICES COUNT SEED | wait ADDR PORT ok|refused TIMEOUT_MS | alt NETNS SERVICES PER_BLOCK CYCLES SEED CGROUP,CONNECT_ID,SOCKOPS_ID...\n");
	return 2;
}
