#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H
#include <sqlite3.h>
#include <stdint.h>
#include <string.h>
/* SQLITE_TRANSIENT is a function-like cast macro Swift cannot import. */
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

/* hist_merge(blob): an aggregate adding histograms stored as equal-length arrays of little-endian u32
 * counts (Core's LatencyHistogram), so GROUP BY merges them inside SQLite. Blobs of another length than
 * the first one seen are ignored; no rows (or only NULLs) gives NULL. */
#define CSQLITE_HIST_MAX_BYTES 1024
typedef struct { int length; uint32_t counts[CSQLITE_HIST_MAX_BYTES / 4]; } csqlite_hist_state;

static void csqlite_hist_step(sqlite3_context *context, int argc, sqlite3_value **argv) {
    (void)argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) return;
    int length = sqlite3_value_bytes(argv[0]);
    if (length <= 0 || length > CSQLITE_HIST_MAX_BYTES || length % 4 != 0) return;
    csqlite_hist_state *state = sqlite3_aggregate_context(context, sizeof(csqlite_hist_state));
    if (!state) { sqlite3_result_error_nomem(context); return; }
    if (state->length == 0) state->length = length;
    if (state->length != length) return;
    const unsigned char *bytes = sqlite3_value_blob(argv[0]);
    for (int i = 0; i < length / 4; i++) {
        uint32_t value = (uint32_t)bytes[i * 4] | (uint32_t)bytes[i * 4 + 1] << 8 | (uint32_t)bytes[i * 4 + 2] << 16
                       | (uint32_t)bytes[i * 4 + 3] << 24;
        state->counts[i] += value;
    }
}

static void csqlite_hist_final(sqlite3_context *context) {
    csqlite_hist_state *state = sqlite3_aggregate_context(context, 0);
    if (!state || state->length == 0) { sqlite3_result_null(context); return; }
    unsigned char out[CSQLITE_HIST_MAX_BYTES];
    for (int i = 0; i < state->length / 4; i++) {
        out[i * 4] = state->counts[i] & 0xff;
        out[i * 4 + 1] = state->counts[i] >> 8 & 0xff;
        out[i * 4 + 2] = state->counts[i] >> 16 & 0xff;
        out[i * 4 + 3] = state->counts[i] >> 24;
    }
    sqlite3_result_blob(context, out, state->length, SQLITE_TRANSIENT);
}

/* hist_add(a, b): the scalar form, for adding one histogram to a stored one in an UPDATE. */
static void csqlite_hist_add(sqlite3_context *context, int argc, sqlite3_value **argv) {
    (void)argc;
    int a = sqlite3_value_type(argv[0]) == SQLITE_BLOB ? sqlite3_value_bytes(argv[0]) : 0;
    int b = sqlite3_value_type(argv[1]) == SQLITE_BLOB ? sqlite3_value_bytes(argv[1]) : 0;
    if (a != b || a <= 0 || a > CSQLITE_HIST_MAX_BYTES || a % 4 != 0) {
        /* Mismatched or missing: keep whichever side is a usable histogram. */
        sqlite3_result_value(context, argv[b > 0 && b % 4 == 0 && b <= CSQLITE_HIST_MAX_BYTES ? 1 : 0]);
        return;
    }
    const unsigned char *x = sqlite3_value_blob(argv[0]);
    const unsigned char *y = sqlite3_value_blob(argv[1]);
    unsigned char out[CSQLITE_HIST_MAX_BYTES];
    for (int i = 0; i < a / 4; i++) {
        uint32_t vx = (uint32_t)x[i * 4] | (uint32_t)x[i * 4 + 1] << 8 | (uint32_t)x[i * 4 + 2] << 16 | (uint32_t)x[i * 4 + 3] << 24;
        uint32_t vy = (uint32_t)y[i * 4] | (uint32_t)y[i * 4 + 1] << 8 | (uint32_t)y[i * 4 + 2] << 16 | (uint32_t)y[i * 4 + 3] << 24;
        uint32_t v = vx + vy;
        out[i * 4] = v & 0xff;
        out[i * 4 + 1] = v >> 8 & 0xff;
        out[i * 4 + 2] = v >> 16 & 0xff;
        out[i * 4 + 3] = v >> 24;
    }
    sqlite3_result_blob(context, out, a, SQLITE_TRANSIENT);
}

/* Registers hist_merge and hist_add on a connection. */
static inline int csqlite_register_histogram_functions(sqlite3 *db) {
    int rc = sqlite3_create_function_v2(db, "hist_merge", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL,
                                        csqlite_hist_step, csqlite_hist_final, NULL);
    if (rc != SQLITE_OK) return rc;
    return sqlite3_create_function_v2(db, "hist_add", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, csqlite_hist_add, NULL, NULL, NULL);
}
#endif
