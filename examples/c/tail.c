/* tail.c — reads a log (a file, or stdin) in chunks the way a log agent tails it, hands each
 * chunk to airlog_parser_feed, and prints either every event as a JSON line of the output
 * contract (--json) or a summary of what it found. Plain C99 over include/airlog/airlog.h.
 *
 *   airlog-tail [--json] [--path SOURCE_PATH] [--chunk BYTES] [--events N] [FILE]
 *
 * --path names the source for component inference and task-log identity (defaults to FILE);
 * --chunk sets the read size (default 65536) and --events the initial event array length
 * (default 256): small values show the "buffer too small" protocol at work — the buffers grow to
 * the sizes airlog reports and nothing is lost. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "airlog/airlog.h"

typedef struct {
  int json;
  airlog_event* events;
  size_t events_capacity;
  char* text;
  size_t text_capacity;
  char* render;
  size_t render_capacity;
  unsigned long long events_seen;
  unsigned long long by_level[AIRLOG_LEVEL_COUNT];
  unsigned long long by_kind[AIRLOG_EVENT_KIND_COUNT];
} sink;

static int check(airlog_status st, const char* what) {
  if (st == AIRLOG_OK || st == AIRLOG_BUFFER_TOO_SMALL) return 1;
  fprintf(stderr, "airlog-tail: %s: %s (%s)\n", what, airlog_status_string(st), airlog_last_error_message());
  return 0;
}

static void* grow(void* p, size_t* capacity, size_t needed, size_t unit) {
  size_t n = *capacity ? *capacity : 1;
  while (n < needed) n *= 2;
  p = realloc(p, n * unit);
  if (p == NULL) {
    fprintf(stderr, "airlog-tail: out of memory\n");
    exit(2);
  }
  *capacity = n;
  return p;
}

static void output_init(sink* s, airlog_output* out) {
  memset(out, 0, sizeof *out);
  out->events = s->events;
  out->events_capacity = s->events_capacity;
  out->text = s->text;
  out->text_capacity = s->text_capacity;
}

/* Consumes the events `out` holds; `input` is the buffer of the call that produced them. */
static int consume(sink* s, const airlog_output* out, const char* input, size_t input_size) {
  size_t i;
  if (!s->json) {
    for (i = 0; i < out->events_written; ++i) {
      s->by_level[s->events[i].level]++;
      s->by_kind[s->events[i].kind]++;
    }
  } else {
    size_t size = 0;
    airlog_status st = airlog_render_json(s->events, out->events_written, input, input_size, s->text, out->text_written,
                                          s->render, s->render_capacity, &size);
    if (st == AIRLOG_BUFFER_TOO_SMALL) {
      s->render = grow(s->render, &s->render_capacity, size, 1);
      st = airlog_render_json(s->events, out->events_written, input, input_size, s->text, out->text_written, s->render,
                              s->render_capacity, &size);
    }
    if (!check(st, "render")) return 0;
    if (size > 0) fwrite(s->render, 1, size, stdout);
  }
  s->events_seen += out->events_written;
  return 1;
}

/* Handles the status of a producing call: consumes what was written, and while events wait in the
 * parser grows the buffers to the sizes it reported and takes them. */
static int drain(sink* s, airlog_parser* p, airlog_status st, airlog_output* out, const char* input,
                 size_t input_size) {
  for (;;) {
    if (!check(st, "parse")) return 0;
    if (!consume(s, out, input, input_size)) return 0;
    if (st == AIRLOG_OK) return 1;
    if (out->events_pending > s->events_capacity)
      s->events = grow(s->events, &s->events_capacity, out->events_pending, sizeof(airlog_event));
    if (out->text_pending > s->text_capacity) s->text = grow(s->text, &s->text_capacity, out->text_pending, 1);
    output_init(s, out);
    st = airlog_parser_take(p, out);
  }
}

int main(int argc, char** argv) {
  const char* file = NULL;
  const char* path = NULL;
  size_t chunk = 65536;
  size_t initial_events = 256;
  sink s;
  FILE* in = stdin;
  char* buf;
  size_t n;
  int i, ok = 1;
  airlog_database* db = NULL;
  airlog_parser* p = NULL;
  airlog_output out;
  airlog_stats stats;

  memset(&s, 0, sizeof s);
  for (i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--json") == 0)
      s.json = 1;
    else if (strcmp(argv[i], "--path") == 0 && i + 1 < argc)
      path = argv[++i];
    else if (strcmp(argv[i], "--chunk") == 0 && i + 1 < argc)
      chunk = (size_t)strtoul(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
      initial_events = (size_t)strtoul(argv[++i], NULL, 10);
    else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      fprintf(stderr, "usage: airlog-tail [--json] [--path P] [--chunk BYTES] [--events N] [FILE]\n");
      return 2;
    } else
      file = argv[i];
  }
  if (chunk == 0) chunk = 1;
  if (file != NULL && strcmp(file, "-") != 0) {
    in = fopen(file, "rb");
    if (in == NULL) {
      perror(file);
      return 1;
    }
    if (path == NULL) path = file;
  }

  if (!check(airlog_database_compile(&db), "compile")) return 1;
  if (!check(airlog_parser_create(db, NULL, path, &p), "create")) return 1;
  airlog_database_free(db); /* the parser keeps what it needs */

  buf = malloc(chunk);
  s.events = grow(NULL, &s.events_capacity, initial_events ? initial_events : 1, sizeof(airlog_event));
  s.text = grow(NULL, &s.text_capacity, 4096, 1);
  if (buf == NULL) return 2;

  while (ok && (n = fread(buf, 1, chunk, in)) > 0) {
    output_init(&s, &out);
    ok = drain(&s, p, airlog_parser_feed(p, buf, n, 0, &out), &out, buf, n);
  }
  if (ok) {
    output_init(&s, &out);
    ok = drain(&s, p, airlog_parser_flush(p, &out), &out, NULL, 0);
  }
  if (ok && !s.json && check(airlog_parser_stats(p, &stats), "stats")) {
    printf("lines %llu\nevents %llu\nfolded %llu\n", (unsigned long long)stats.lines_in, s.events_seen,
           (unsigned long long)stats.lines_folded);
    for (i = 1; i < AIRLOG_LEVEL_COUNT; ++i)
      if (s.by_level[i]) printf("level %s %llu\n", airlog_level_string(i), s.by_level[i]);
    for (i = 1; i < AIRLOG_EVENT_KIND_COUNT; ++i)
      if (s.by_kind[i]) printf("event %s %llu\n", airlog_event_kind_string(i), s.by_kind[i]);
  }

  airlog_parser_free(p);
  free(buf);
  free(s.events);
  free(s.text);
  free(s.render);
  if (in != stdin) fclose(in);
  return ok ? 0 : 1;
}
