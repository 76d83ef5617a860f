/* values.c — see include/values.h for the contract. */
#include "values.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static void values_error_set(struct values_error *err, int line, int column,
			     const char *problem)
{
	if (!err)
		return;
	err->line = line;
	err->column = column;
	snprintf(err->problem, sizeof(err->problem), "%s", problem);
}

/* libyaml's reader errors carry a byte offset, not a mark. */
static void values_offset_position(const char *text, size_t len, size_t off,
				   int *line, int *column)
{
	size_t i;

	*line = 1;
	*column = 1;
	for (i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*column = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*column)++;
		}
	}
}

static int values_parser_error(const yaml_parser_t *p, const char *text,
			       size_t len, struct values_error *err)
{
	int line, column;

	if (p->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	if (p->error == YAML_READER_ERROR) {
		values_offset_position(text, len, p->problem_offset, &line, &column);
	} else {
		line = (int)p->problem_mark.line + 1;
		column = (int)p->problem_mark.column + 1;
	}
	values_error_set(err, line, column,
			 p->problem ? p->problem : "invalid yaml");
	return -EINVAL;
}

/*
 * libyaml's parser leaves aliases unresolved (its loader would check them), so
 * anchors are remembered here as "\nNAME\n" pieces of one buffer.
 */
static int values_check_alias(const yaml_event_t *ev, struct sbuf *anchors,
			      struct values_error *err)
{
	const char *anchor = NULL;
	char problem[sizeof(err->problem)];
	struct sbuf key;
	bool known;

	if (ev->type == YAML_ALIAS_EVENT)
		anchor = (const char *)ev->data.alias.anchor;
	else if (ev->type == YAML_SCALAR_EVENT)
		anchor = (const char *)ev->data.scalar.anchor;
	else if (ev->type == YAML_SEQUENCE_START_EVENT)
		anchor = (const char *)ev->data.sequence_start.anchor;
	else if (ev->type == YAML_MAPPING_START_EVENT)
		anchor = (const char *)ev->data.mapping_start.anchor;
	if (!anchor)
		return 0;
	if (ev->type != YAML_ALIAS_EVENT) {
		sbuf_printf(anchors, "%s\n", anchor);
		return sbuf_error(anchors);
	}
	sbuf_init(&key, 0);
	sbuf_printf(&key, "\n%s\n", anchor);
	known = !sbuf_error(&key) && strstr(anchors->buf, key.buf);
	sbuf_free(&key);
	if (known)
		return 0;
	snprintf(problem, sizeof(problem), "found undefined alias '%.64s'", anchor);
	values_error_set(err, (int)ev->start_mark.line + 1,
			 (int)ev->start_mark.column + 1, problem);
	return -EINVAL;
}

/*
 * Events arrive as: stream start (index 0), document start (1), the top-level
 * node (2), its content, document end, stream end. A stream end at 1 means no
 * document; a document start past 1 means a second one.
 */
static int values_check_event(const yaml_event_t *ev, unsigned index,
			      struct sbuf *anchors, struct values_error *err)
{
	int line = (int)ev->start_mark.line + 1;
	int column = (int)ev->start_mark.column + 1;

	if (index == 1 && ev->type == YAML_STREAM_END_EVENT) {
		values_error_set(err, 0, 0, "values are empty");
		return -EINVAL;
	}
	if (index == 2 && ev->type != YAML_MAPPING_START_EVENT) {
		values_error_set(err, line, column,
				 "values must be a mapping (key: value lines)");
		return -EINVAL;
	}
	if (index > 1 && ev->type == YAML_DOCUMENT_START_EVENT) {
		values_error_set(err, line, column,
				 "values must be a single document");
		return -EINVAL;
	}
	return values_check_alias(ev, anchors, err);
}

int values_validate(const char *text, size_t len, struct values_error *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct sbuf anchors;
	unsigned index = 0;
	int ret = 0;
	bool done = false;

	values_error_set(err, 0, 0, "");
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	sbuf_init(&anchors, 0);
	sbuf_addch(&anchors, '\n');
	/* libyaml asserts on a NULL input, even an empty one */
	yaml_parser_set_input_string(&parser,
				     (const unsigned char *)(len ? text : ""), len);
	while (!done && !ret) {
		if (!yaml_parser_parse(&parser, &ev)) {
			ret = values_parser_error(&parser, text, len, err);
			break;
		}
		ret = values_check_event(&ev, index++, &anchors, err);
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	sbuf_free(&anchors);
	yaml_parser_delete(&parser);
	return ret;
}

void values_error_format(const struct values_error *err, char *buf, size_t len)
{
	if (!len)
		return;
	if (err->line > 0)
		snprintf(buf, len, "yaml: line %d, column %d: %s", err->line,
			 err->column, err->problem);
	else
		snprintf(buf, len, "yaml: %s", err->problem);
}

/* ---- write handle --------------------------------------------------------- */

int values_handle_init(struct values_handle *h, const char *deployed, size_t len,
		       bool trunc)
{
	sbuf_init(&h->text, VALUES_MAX_SIZE);
	h->base = NULL;
	h->base_len = 0;
	h->dirty = trunc;
	if (len > VALUES_MAX_SIZE)
		return -EFBIG;
	h->base = malloc(len + 1);
	if (!h->base)
		return -ENOMEM;
	if (len)
		memcpy(h->base, deployed, len);
	h->base[len] = '\0';
	h->base_len = len;
	if (!trunc)
		sbuf_add(&h->text, deployed, len);
	return sbuf_error(&h->text);
}

void values_handle_free(struct values_handle *h)
{
	sbuf_free(&h->text);
	free(h->base);
	h->base = NULL;
	h->base_len = 0;
	h->dirty = false;
}

/* The cap is checked here, not left to sbuf, whose errors are sticky: one
 * oversized write must fail alone and leave the handle usable. */
static bool values_fits(uint64_t off, size_t len)
{
	return off <= VALUES_MAX_SIZE && len <= VALUES_MAX_SIZE - off;
}

int values_handle_write(struct values_handle *h, uint64_t off, const void *data,
			size_t len)
{
	if (!values_fits(off, len))
		return -EFBIG;
	if (!len)
		return 0;
	sbuf_write_at(&h->text, (size_t)off, data, len);
	if (sbuf_error(&h->text))
		return sbuf_error(&h->text);
	h->dirty = true;
	return 0;
}

int values_handle_truncate(struct values_handle *h, uint64_t size)
{
	if (!values_fits(size, 0))
		return -EFBIG;
	sbuf_setlen(&h->text, (size_t)size);
	if (sbuf_error(&h->text))
		return sbuf_error(&h->text);
	h->dirty = true;
	return 0;
}

size_t values_handle_read(const struct values_handle *h, uint64_t off, void *buf,
			  size_t len)
{
	return sbuf_read_at(&h->text, off, buf, len);
}

const char *values_handle_text(const struct values_handle *h, size_t *len)
{
	if (len)
		*len = h->text.len;
	return h->text.buf;
}

int values_handle_settle(struct values_handle *h, int result)
{
	char *base;

	h->dirty = false;
	if (result)
		return 0;
	base = malloc(h->text.len + 1);
	if (!base)
		return -ENOMEM;
	memcpy(base, h->text.buf, h->text.len + 1);
	free(h->base);
	h->base = base;
	h->base_len = h->text.len;
	return 0;
}

/* ---- commit decision ------------------------------------------------------ */

static bool values_same(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

int values_decide(const struct values_commit *in, struct values_decision *out)
{
	int ret;

	memset(out, 0, sizeof(*out));
	if (in->len > VALUES_MAX_SIZE) {
		snprintf(out->why, sizeof(out->why),
			 "values are larger than %u bytes", VALUES_MAX_SIZE);
		return -EFBIG;
	}
	ret = values_validate(in->text, in->len, &out->yaml);
	if (ret) {
		values_error_format(&out->yaml, out->why, sizeof(out->why));
		return ret;
	}
	if (in->state_err) {
		snprintf(out->why, sizeof(out->why), "%s",
			 in->state_why ? in->state_why : "");
		return in->state_err;
	}
	if (values_same(in->text, in->len, in->deployed, in->deployed_len))
		return 0;
	if (in->base && !values_same(in->base, in->base_len, in->deployed,
				     in->deployed_len)) {
		snprintf(out->why, sizeof(out->why), "%s",
			 "the deployed values changed on the server since "
			 "'values.yaml' was opened; read them again and redo the edit");
		return -ESTALE;
	}
	out->send = true;
	return 0;
}

/* ---- values.yaml.rejected ------------------------------------------------- */

void values_rejected_init(struct values_rejected *r)
{
	memset(r, 0, sizeof(*r));
}

int values_rejected_keep(struct values_rejected *r, const char *text, size_t len,
			 time_t when)
{
	char *copy = malloc(len + 1);

	if (!copy)
		return -ENOMEM;
	if (len)
		memcpy(copy, text, len);
	copy[len] = '\0';
	free(r->text);
	r->text = copy;
	r->len = len;
	r->when = when;
	r->present = true;
	return 0;
}

void values_rejected_clear(struct values_rejected *r)
{
	free(r->text);
	values_rejected_init(r);
}
