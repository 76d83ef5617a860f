#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "sbuf.h"

static void test_append_and_detach(void)
{
	struct sbuf sb;
	size_t len;
	char *s;

	sbuf_init(&sb, 0);
	CHECK_STR(sb.buf, "");
	sbuf_adds(&sb, "key: ");
	sbuf_printf(&sb, "%d/%d", 2, 3);
	sbuf_addch(&sb, '\n');
	CHECK_STR(sb.buf, "key: 2/3\n");
	s = sbuf_detach(&sb, &len);
	CHECK_STR(s, "key: 2/3\n");
	CHECK_INT(len, 9);
	CHECK_STR(sb.buf, "");
	free(s);
	s = sbuf_detach(&sb, &len);
	CHECK_STR(s, "");
	CHECK_INT(len, 0);
	free(s);
}

static void test_cap(void)
{
	struct sbuf sb;

	sbuf_init(&sb, 8);
	sbuf_adds(&sb, "12345678");
	CHECK_INT(sbuf_error(&sb), 0);
	sbuf_adds(&sb, "9");
	CHECK_INT(sbuf_error(&sb), -EFBIG);
	CHECK_STR(sb.buf, "12345678");
	sbuf_free(&sb);
}

static void test_write_at(void)
{
	struct sbuf sb;

	sbuf_init(&sb, 0);
	sbuf_adds(&sb, "hello world");
	sbuf_write_at(&sb, 6, "there", 5);
	CHECK_STR(sb.buf, "hello there");
	sbuf_setlen(&sb, 5);
	CHECK_STR(sb.buf, "hello");
	sbuf_write_at(&sb, 7, "x", 1);
	CHECK_INT(sb.len, 8);
	CHECK(sb.buf[5] == '\0' && sb.buf[6] == '\0' && sb.buf[7] == 'x');
	sbuf_free(&sb);
}

static void test_read_at(void)
{
	struct sbuf sb;
	char buf[8];

	sbuf_init(&sb, 0);
	CHECK_INT(sbuf_read_at(&sb, 0, buf, sizeof(buf)), 0);
	sbuf_adds(&sb, "0123456789");
	CHECK_INT(sbuf_read_at(&sb, 0, buf, 4), 4);
	CHECK(!memcmp(buf, "0123", 4));
	CHECK_INT(sbuf_read_at(&sb, 7, buf, sizeof(buf)), 3);
	CHECK(!memcmp(buf, "789", 3));
	CHECK_INT(sbuf_read_at(&sb, 10, buf, sizeof(buf)), 0);
	CHECK_INT(sbuf_read_at(&sb, 1ULL << 40, buf, sizeof(buf)), 0);
	sbuf_free(&sb);
}

int main(void)
{
	test_read_at();
	test_append_and_detach();
	test_cap();
	test_write_at();
	return CHECK_DONE();
}
