#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H
#include <sqlite3.h>
#include <stdint.h>
#include <string.h>
/* SQLITE_TRANSIENT is a function-like cast macro Swift cannot import. */
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

/* Turns off SQLite's memory statistics, which take a process-wide mutex around every allocation SQLite
 * makes (sqlite3_config is variadic, so Swift cannot call it). Only takes effect before the first
 * connection opens; returns SQLITE_MISUSE after that. */
static inline int csqlite_disable_memory_statistics(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

/* Histograms (Core's LatencyHistogram) are stored sparse: a format byte (1), then for each non-empty
 * bucket in ascending order its index (one byte) and count (u32, little-endian). hist_merge(blob) is an
 * aggregate adding them (GROUP BY merges inside SQLite); hist_add(a, b) the scalar form for an UPDATE.
 * A damaged or unknown blob counts as empty. */
#define CSQLITE_HIST_BUCKETS 128
typedef struct { int seen; uint32_t counts[CSQLITE_HIST_BUCKETS]; } csqlite_hist_state;

static int csqlite_hist_decode(sqlite3_value *value, uint32_t *counts) {
    if (sqlite3_value_type(value) != SQLITE_BLOB) return 0;
    int length = sqlite3_value_bytes(value);
    const unsigned char *bytes = sqlite3_value_blob(value);
    if (length < 1 || bytes[0] != 1 || (length - 1) % 5 != 0) return 0;
    for (int at = 1; at < length; at += 5) {
        int index = bytes[at];
        if (index >= CSQLITE_HIST_BUCKETS) return 0;
        counts[index] += (uint32_t)bytes[at + 1] | (uint32_t)bytes[at + 2] << 8 | (uint32_t)bytes[at + 3] << 16
                       | (uint32_t)bytes[at + 4] << 24;
    }
    return 1;
}

static void csqlite_hist_result(sqlite3_context *context, const uint32_t *counts) {
    unsigned char out[1 + CSQLITE_HIST_BUCKETS * 5];
    int length = 1;
    out[0] = 1;
    for (int i = 0; i < CSQLITE_HIST_BUCKETS; i++) {
        if (!counts[i]) continue;
        out[length] = (unsigned char)i;
        out[length + 1] = counts[i] & 0xff;
        out[length + 2] = counts[i] >> 8 & 0xff;
        out[length + 3] = counts[i] >> 16 & 0xff;
        out[length + 4] = counts[i] >> 24;
        length += 5;
    }
    sqlite3_result_blob(context, out, length, SQLITE_TRANSIENT);
}

static void csqlite_hist_step(sqlite3_context *context, int argc, sqlite3_value **argv) {
    (void)argc;
    csqlite_hist_state *state = sqlite3_aggregate_context(context, sizeof(csqlite_hist_state));
    if (!state) { sqlite3_result_error_nomem(context); return; }
    state->seen = 1;
    csqlite_hist_decode(argv[0], state->counts);
}

static void csqlite_hist_final(sqlite3_context *context) {
    csqlite_hist_state *state = sqlite3_aggregate_context(context, 0);
    if (!state || !state->seen) { sqlite3_result_null(context); return; }
    csqlite_hist_result(context, state->counts);
}

static void csqlite_hist_add(sqlite3_context *context, int argc, sqlite3_value **argv) {
    (void)argc;
    uint32_t counts[CSQLITE_HIST_BUCKETS] = {0};
    csqlite_hist_decode(argv[0], counts);
    csqlite_hist_decode(argv[1], counts);
    csqlite_hist_result(context, counts);
}

/* Registers hist_merge and hist_add on a connection. */
static inline int csqlite_register_histogram_functions(sqlite3 *db) {
    int rc = sqlite3_create_function_v2(db, "hist_merge", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL,
                                        csqlite_hist_step, csqlite_hist_final, NULL);
    if (rc != SQLITE_OK) return rc;
    return sqlite3_create_function_v2(db, "hist_add", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, csqlite_hist_add, NULL, NULL, NULL);
}
#endif
