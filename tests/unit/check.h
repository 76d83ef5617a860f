/*
 * check.h — the unit tests' tiny harness. Each CHECK counts; a failed check
 * prints file:line and the expression, the run goes on, and CHECK_DONE() prints
 * "N passed, N failed" and returns the exit status for main().
 */
#ifndef C7NFS_TEST_CHECK_H
#define C7NFS_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(expr)                                                          \
	do {                                                                 \
		if (expr) {                                                  \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #expr);                  \
		}                                                            \
	} while (0)

#define CHECK_STR(got, want)                                                 \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		if (g_ && w_ && strcmp(g_, w_) == 0) {                       \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			fprintf(stderr, "%s:%d: %s\n  got:  \"%s\"\n  want: \"%s\"\n", \
				__FILE__, __LINE__, #got, g_ ? g_ : "(null)", \
				w_ ? w_ : "(null)");                         \
		}                                                            \
	} while (0)

#define CHECK_INT(got, want)                                                 \
	do {                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);     \
		if (g_ == w_) {                                              \
			check_passed++;                                      \
		} else {                                                     \
			check_failed++;                                      \
			fprintf(stderr, "%s:%d: %s = %lld, want %lld\n",     \
				__FILE__, __LINE__, #got, g_, w_);           \
		}                                                            \
	} while (0)

#define CHECK_DONE()                                                         \
	(printf("%d passed, %d failed\n", check_passed, check_failed),       \
	 check_failed ? 1 : 0)

#endif
