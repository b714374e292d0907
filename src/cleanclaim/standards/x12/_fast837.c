/* Fast path of the 837P/837I batch reader (see fast837.py, which decides when it runs).
 *
 * A Parser is fed the bytes of an X12 file in chunks. It cuts segments and elements, checks
 * the envelopes, follows the loops of an 837 exactly as Claim837Handler (x837.py) does, and
 * appends every finished claim to columnar, Arrow-layout buffers (validity bitmap, offsets,
 * values). Every `claims_per_batch` claims the buffers are sealed into a batch that Python
 * turns into Arrow arrays without touching one value.
 *
 * It is deliberately conservative: on anything it does not handle, or that the Python reader
 * would report as a problem (envelope counts and control numbers, misplaced segments, bad
 * dates or numbers, odd delimiters, line breaks inside segments, non-ASCII bytes, ...), it
 * stops and says so (`failed`); the caller then reads the file through the Python path, which
 * raises the positioned error or produces the batches. It never tracks origins.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>

/* Longest run of text without a terminator (tokenizer.MAX_SEGMENT_LENGTH). */
#define MAX_SEGMENT_LENGTH (1 << 22)
#define ISA_LENGTH 106

/* ---------------------------------------------------------------------------------------- */
/* Growable byte buffer                                                                      */

typedef struct {
    char *p;
    size_t len, cap;
} Buf;

/* The raw allocator: these run with the GIL released. */
static int buf_grow(Buf *b, size_t extra) {
    if (extra > SIZE_MAX / 2 - b->len) return -1;
    size_t need = b->len + extra;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    char *p = PyMem_RawRealloc(b->p, cap);
    if (!p) return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static inline int buf_add(Buf *b, const void *s, size_t n) {
    if (b->cap - b->len < n && buf_grow(b, n) < 0) return -1;
    if (n) memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

static void buf_free(Buf *b) {
    PyMem_RawFree(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Values held while a claim is read                                                         */

/* State of a value: absent (key not in the Python dict), None, text, date, integer. */
enum { V_ABSENT = 0, V_NONE, V_STR, V_DATE };

/* Where the text of a value lives: each scope has its own arena, emptied with the scope. */
enum { A_BILL = 0, A_SUB, A_PAT, A_CLM, A_CONST, N_ARENA };

typedef struct {
    int8_t st;
    uint8_t arena;
    int32_t days; /* V_DATE: days since 1970-01-01 */
    uint32_t off, len; /* V_STR: text in its arena */
} Val;

static const char CONSTANTS[] = "18professionalinstitutional";
/* "18" at 0, "professional" at 2, "institutional" at 14. */

/* Columns of the claims table, in the field order of table_specs(Claim) (checked from
 * Python against the names COLUMNS gives). */
enum {
    C_CLAIM_ID, C_CLAIM_TYPE, C_FREQUENCY_CODE, C_ORIGINAL_CLAIM_REF, C_PAYER_ID, C_PAYER_NAME,
    C_FILING_INDICATOR, C_MEMBER_ID, C_SUBSCRIBER_FIRST_NAME, C_SUBSCRIBER_LAST_NAME,
    C_PATIENT_FIRST_NAME, C_PATIENT_LAST_NAME, C_PATIENT_BIRTH_DATE, C_PATIENT_SEX,
    C_PATIENT_RELATIONSHIP, C_PATIENT_ADDRESS_LINE, C_PATIENT_CITY, C_PATIENT_STATE,
    C_PATIENT_POSTAL_CODE, C_BILLING_NPI, C_BILLING_NAME, C_BILLING_TAX_ID, C_BILLING_TAXONOMY,
    C_BILLING_ADDRESS_LINE, C_BILLING_CITY, C_BILLING_STATE, C_BILLING_POSTAL_CODE,
    C_RENDERING_NPI, C_RENDERING_NAME, C_RENDERING_FIRST_NAME, C_REFERRING_NPI,
    C_REFERRING_NAME, C_REFERRING_FIRST_NAME, C_FACILITY_NPI, C_FACILITY_NAME,
    C_FACILITY_ADDRESS_LINE, C_FACILITY_CITY, C_FACILITY_STATE, C_FACILITY_POSTAL_CODE,
    C_PLACE_OF_SERVICE, C_TYPE_OF_BILL, C_STATEMENT_FROM, C_STATEMENT_TO, C_ADMISSION_DATE,
    C_DISCHARGE_STATUS, C_TOTAL_CHARGE, C_PRIOR_AUTH_NUMBER, C_REFERRAL_NUMBER, C_SUBMITTED_ON,
    N_CLAIM_COLS
};

static const char *CLAIM_NAMES[N_CLAIM_COLS] = {
    "claim_id", "claim_type", "frequency_code", "original_claim_ref", "payer_id", "payer_name",
    "filing_indicator", "member_id", "subscriber_first_name", "subscriber_last_name",
    "patient_first_name", "patient_last_name", "patient_birth_date", "patient_sex",
    "patient_relationship", "patient_address_line", "patient_city", "patient_state",
    "patient_postal_code", "billing_npi", "billing_name", "billing_tax_id", "billing_taxonomy",
    "billing_address_line", "billing_city", "billing_state", "billing_postal_code",
    "rendering_npi", "rendering_name", "rendering_first_name", "referring_npi",
    "referring_name", "referring_first_name", "facility_npi", "facility_name",
    "facility_address_line", "facility_city", "facility_state", "facility_postal_code",
    "place_of_service", "type_of_bill", "statement_from", "statement_to", "admission_date",
    "discharge_status", "total_charge", "prior_auth_number", "referral_number", "submitted_on",
};

/* Columns of the lines table (after the parent claim id). */
enum {
    L_LINE_NUMBER, L_PROCEDURE_CODE, L_MODIFIERS, L_REVENUE_CODE, L_UNITS, L_CHARGE,
    L_SERVICE_FROM, L_SERVICE_TO, L_DIAGNOSIS_POINTERS, L_PLACE_OF_SERVICE, L_RENDERING_NPI,
    L_RENDERING_NAME, L_RENDERING_FIRST_NAME, L_NDC, L_PRIOR_AUTH_NUMBER, N_LINE_COLS
};

static const char *LINE_NAMES[N_LINE_COLS] = {
    "line_number", "procedure_code", "modifiers", "revenue_code", "units", "charge",
    "service_from", "service_to", "diagnosis_pointers", "place_of_service", "rendering_npi",
    "rendering_name", "rendering_first_name", "ndc", "prior_auth_number",
};

static const char *DIAGNOSIS_NAMES[4] = {"sequence", "code", "qualifier",
                                         "present_on_admission"};

typedef struct {
    Val v[N_LINE_COLS]; /* L_LINE_NUMBER, L_MODIFIERS and L_DIAGNOSIS_POINTERS unused */
    int64_t number;
    int has_sv;                  /* an SV1/SV2 was read ("charge" is not None) */
    int has_mods, has_ptrs;      /* the list fields were set */
    size_t mod_off, mod_n;       /* modifiers: Vals in Parser.mods */
    size_t ptr_off, ptr_n;       /* pointers: int64s in Parser.ptrs */
} Line;

typedef struct {
    Val code, qualifier, poa;
} Diag;

/* ---------------------------------------------------------------------------------------- */
/* Column builders (Arrow layout)                                                           */

enum { K_STR = 0, K_DATE, K_INT, K_LIST_STR, K_LIST_INT };

typedef struct {
    int kind;
    int64_t n, nulls;
    Buf valid; /* validity bitmap, least significant bit first */
    Buf offsets; /* K_STR: int32 text offsets; lists: int32 list offsets */
    Buf values;  /* K_STR, K_LIST_STR: text bytes; K_DATE: int32; K_INT, K_LIST_INT: int64 */
    Buf child_offsets; /* K_LIST_STR: int32 offsets of the items' text */
    int64_t children;  /* lists: items so far */
} Col;

/* ---------------------------------------------------------------------------------------- */
/* The parser                                                                                */

typedef struct {
    const char *p;
    size_t n;
} Slice;

typedef struct {
    PyObject_HEAD
    /* input */
    Buf in;        /* unconsumed bytes */
    size_t at;     /* next byte to look at in `in` */
    int started;   /* leading white space of the file skipped */
    int failed;    /* bailed out: the caller must use the Python path */
    int nomem;     /* out of memory (raised as MemoryError once the GIL is held again) */
    int ready;     /* the open batch is full: seal it (with the GIL) before reading on */
    int busy;      /* a call is reading (with the GIL released): no other may start */
    unsigned char cls[256]; /* byte classes of the delimiters in force (see sniff) */
    const char *why; /* what made it bail (for tests and debugging) */
    Slice *el;     /* elements of the current segment */
    size_t el_cap, el_n;
    /* delimiters */
    char sep, comp, term;
    int have_delims;
    /* envelopes */
    int level;
    int64_t segments;            /* ordinal of the last segment */
    int64_t st_pos, gs_count, st_count;
    char isa_control[16];
    Buf gs_control, gs_version, st_control;
    /* handler state (Claim837Handler) */
    int institutional; /* the transaction set is an 837I */
    int clm_seen; /* a CLM was read in this transaction set */
    int has_submitted;
    int32_t submitted;
    Buf arena[N_ARENA];
    Val bill[N_CLAIM_COLS], sub[N_CLAIM_COLS], pat[N_CLAIM_COLS], clm[N_CLAIM_COLS];
    int bill_set, sub_set, has_patient, has_claim;
    int loop; /* LOOP_* */
    int in_other_payer;
    char claim_entity[4];
    size_t claim_entity_n;
    Line *lines;
    size_t lines_n, lines_cap;
    Diag *diags;
    size_t diags_n, diags_cap;
    Val *mods;
    size_t mods_n, mods_cap;
    int64_t *ptrs;
    size_t ptrs_n, ptrs_cap;
    /* output */
    Py_ssize_t per_batch;
    int64_t pending;      /* claims in the open batch */
    int suspicious;       /* the open batch holds text conform would read differently */
    Col claims[N_CLAIM_COLS];
    Col line_cols[1 + N_LINE_COLS];
    Col diag_cols[1 + 4];
    PyObject *sealed;     /* list of sealed batches not yet taken */
} Parser;

enum { LOOP_NONE = 0, LOOP_BILLING, LOOP_SUBSCRIBER, LOOP_PATIENT, LOOP_PAYER, LOOP_OTHER,
       LOOP_CLAIM };

/* Stop: the Python path decides. Returns -1 for the convenience of callers. */
static int oom(Parser *P) {
    P->nomem = 1;
    return -1;
}

static int bail(Parser *P, const char *why) {
    if (!P->failed) {
        P->failed = 1;
        P->why = why;
    }
    return -1;
}

/* ---------------------------------------------------------------------------------------- */
/* Small helpers                                                                             */

static inline int eq(Slice s, const char *lit) {
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

static inline Slice el_at(Parser *P, size_t i) {
    /* Missing elements read as empty, like the handler's padding. */
    if (i < P->el_n) return P->el[i];
    Slice empty = {"", 0};
    return empty;
}

static int all_digits(Slice s) {
    if (s.n == 0) return 0;
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] < '0' || s.p[i] > '9') return 0;
    return 1;
}

/* A non-negative decimal integer; -1 when not all digits or longer than 18 digits (leading
 * zeros included: Python's int() refuses very long digit strings, whatever their value). */
static int64_t to_int(Slice s) {
    if (!all_digits(s) || s.n > 18) return -1;
    int64_t v = 0;
    for (size_t i = 0; i < s.n; i++) v = v * 10 + (s.p[i] - '0');
    return v;
}

/* Days from 1970-01-01 to a proleptic Gregorian date (a civil-calendar formula: years are
 * counted from March so that the leap day is the last day of a year). */
static int32_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* A CCYYMMDD date as datetime.date.fromisoformat takes it; 0 when it is not one. */
static int parse_date(Slice s, int32_t *out) {
    if (s.n != 8 || !all_digits(s)) return 0;
    int y = (s.p[0] - '0') * 1000 + (s.p[1] - '0') * 100 + (s.p[2] - '0') * 10 + (s.p[3] - '0');
    int m = (s.p[4] - '0') * 10 + (s.p[5] - '0');
    int d = (s.p[6] - '0') * 10 + (s.p[7] - '0');
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1) return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int last = mdays[m - 1] + (m == 2 && leap);
    if (d > last) return 0;
    *out = days_from_civil(y, m, d);
    return 1;
}

/* parse_period: D8, DT (first 8 characters) or RD8 (start-end); 0 when Python would raise. */
static int parse_period(Slice fmt, Slice value, int32_t *start, int32_t *end, int *has_end) {
    *has_end = 0;
    if (eq(fmt, "RD8")) {
        const char *dash = memchr(value.p, '-', value.n);
        if (!dash) return 0;
        Slice a = {value.p, (size_t)(dash - value.p)};
        Slice b = {dash + 1, value.n - (size_t)(dash - value.p) - 1};
        if (!parse_date(a, start) || !parse_date(b, end)) return 0;
        *has_end = 1;
        return 1;
    }
    if (eq(fmt, "DT")) {
        if (value.n > 8) value.n = 8;
    } else if (!eq(fmt, "D8")) {
        return 0;
    }
    return parse_date(value, start);
}

/* Components of an element, split on the component separator; at most `max` kept, the
 * number of components (all of them) returned. */
static size_t components(Parser *P, Slice s, Slice *out, size_t max) {
    size_t count = 0;
    const char *p = s.p, *end = s.p + s.n;
    for (;;) {
        const char *c = memchr(p, P->comp, (size_t)(end - p));
        const char *stop = c ? c : end;
        if (count < max) {
            out[count].p = p;
            out[count].n = (size_t)(stop - p);
        }
        count++;
        if (!c) break;
        p = c + 1;
    }
    for (size_t i = count; i < max; i++) {
        out[i].p = "";
        out[i].n = 0;
    }
    return count;
}

/* -- values ------------------------------------------------------------------------------- */

static int set_str(Parser *P, Val *v, int arena, const char *s, size_t n) {
    Buf *a = &P->arena[arena];
    if (v->st == V_STR && v->arena == arena && n <= v->len) {
        /* Overwritten in place: a value set again and again does not grow its arena. */
        if (n) memcpy(a->p + v->off, s, n);
        v->len = (uint32_t)n;
        return 0;
    }
    if (a->len + n > UINT32_MAX) return bail(P, "arena too large");
    uint32_t off = (uint32_t)a->len;
    if (buf_add(a, s, n) < 0) return oom(P);
    v->st = V_STR;
    v->arena = (uint8_t)arena;
    v->off = off;
    v->len = (uint32_t)n;
    return 0;
}

static inline int set_slice(Parser *P, Val *v, int arena, Slice s) {
    return set_str(P, v, arena, s.p, s.n);
}

/* `el[i] or None` */
static inline int set_or_none(Parser *P, Val *v, int arena, Slice s) {
    if (s.n == 0) {
        v->st = V_NONE;
        return 0;
    }
    return set_slice(P, v, arena, s);
}

static inline void set_none(Val *v) { v->st = V_NONE; }

static inline void set_date(Val *v, int32_t days) {
    v->st = V_DATE;
    v->days = days;
}

static inline const char *val_text(Parser *P, const Val *v) {
    return v->arena == A_CONST ? CONSTANTS + v->off : P->arena[v->arena].p + v->off;
}

static inline int truthy(const Val *v) { return v->st == V_STR ? v->len > 0 : v->st == V_DATE; }

static void clear_vals(Val *v) { memset(v, 0, sizeof(Val) * N_CLAIM_COLS); }

/* ---------------------------------------------------------------------------------------- */
/* Columns                                                                                   */

static int col_bit(Col *c, int valid) {
    int64_t i = c->n;
    if ((i & 7) == 0) {
        char zero = 0;
        if (buf_add(&c->valid, &zero, 1) < 0) return -1;
    }
    if (valid)
        c->valid.p[i >> 3] |= (char)(1 << (i & 7));
    else
        c->nulls++;
    c->n++;
    return 0;
}

static int col_init(Col *c, int kind) {
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    int32_t zero = 0;
    /* Offsets start with 0 (text offsets, list offsets, item text offsets). */
    if (kind == K_STR || kind == K_LIST_STR || kind == K_LIST_INT)
        if (buf_add(&c->offsets, &zero, 4) < 0) return -1;
    if (kind == K_LIST_STR)
        if (buf_add(&c->child_offsets, &zero, 4) < 0) return -1;
    return 0;
}

/* Empty a column for the next batch, keeping its memory (the offsets' leading 0 stays). */
static void col_reset(Col *c) {
    c->n = c->nulls = c->children = 0;
    c->valid.len = c->values.len = 0;
    c->offsets.len = c->offsets.len ? 4 : 0;
    c->child_offsets.len = c->child_offsets.len ? 4 : 0;
}

static void col_free(Col *c) {
    buf_free(&c->valid);
    buf_free(&c->offsets);
    buf_free(&c->values);
    buf_free(&c->child_offsets);
}

/* Text that conform would read differently from pydantic: empty, or with blanks (or other
 * control characters, to be safe) at either end. The batch then goes to the Python path. */
static inline void watch_text(Parser *P, const char *s, size_t n) {
    if (n == 0 || (unsigned char)s[0] <= 0x20 || (unsigned char)s[n - 1] <= 0x20)
        P->suspicious = 1;
}

static int add_text(Parser *P, Buf *values, Buf *offsets, const char *s, size_t n) {
    watch_text(P, s, n);
    if (values->len + n > INT32_MAX) return bail(P, "batch text too large");
    if (buf_add(values, s, n) < 0) return oom(P);
    int32_t end = (int32_t)values->len;
    if (buf_add(offsets, &end, 4) < 0) return oom(P);
    return 0;
}

static int col_str(Parser *P, Col *c, const char *s, size_t n, int valid) {
    if (col_bit(c, valid) < 0) return oom(P);
    if (valid) return add_text(P, &c->values, &c->offsets, s, n);
    int32_t end = (int32_t)c->values.len;
    if (buf_add(&c->offsets, &end, 4) < 0) return oom(P);
    return 0;
}

static int col_date(Col *c, int32_t days, int valid) {
    if (col_bit(c, valid) < 0) return -1;
    int32_t v = valid ? days : 0;
    return buf_add(&c->values, &v, 4);
}

static int col_int(Col *c, int64_t value, int valid) {
    if (col_bit(c, valid) < 0) return -1;
    int64_t v = valid ? value : 0;
    return buf_add(&c->values, &v, 8);
}

/* A Val into a text or date column (absent and None are both null). */
static int col_val(Parser *P, Col *c, const Val *v) {
    int r;
    if (c->kind == K_DATE) {
        if (v->st == V_STR) return bail(P, "text for a date column");
        r = col_date(c, v->days, v->st == V_DATE);
    } else {
        if (v->st == V_DATE) return bail(P, "date for a text column");
        if (v->st == V_STR) return col_str(P, c, val_text(P, v), v->len, 1);
        r = col_str(P, c, "", 0, 0);
    }
    if (r < 0 && !P->failed) oom(P);
    return r;
}

/* Close a list cell after its items were added. */
static int col_list_end(Col *c, int valid) {
    if (col_bit(c, valid) < 0) return -1;
    if (c->children > INT32_MAX) return -1;
    int32_t end = (int32_t)c->children;
    return buf_add(&c->offsets, &end, 4);
}

static int cols_init(Parser *P) {
    for (int i = 0; i < N_CLAIM_COLS; i++) {
        int kind = (i == C_PATIENT_BIRTH_DATE || i == C_STATEMENT_FROM || i == C_STATEMENT_TO ||
                    i == C_ADMISSION_DATE || i == C_SUBMITTED_ON)
                       ? K_DATE
                       : K_STR;
        if (col_init(&P->claims[i], kind) < 0) return -1;
    }
    for (int i = 0; i <= N_LINE_COLS; i++) {
        int kind = K_STR;
        if (i > 0) {
            int f = i - 1;
            if (f == L_LINE_NUMBER) kind = K_INT;
            else if (f == L_MODIFIERS) kind = K_LIST_STR;
            else if (f == L_DIAGNOSIS_POINTERS) kind = K_LIST_INT;
            else if (f == L_SERVICE_FROM || f == L_SERVICE_TO) kind = K_DATE;
        }
        if (col_init(&P->line_cols[i], kind) < 0) return -1;
    }
    for (int i = 0; i < 5; i++)
        if (col_init(&P->diag_cols[i], i == 1 ? K_INT : K_STR) < 0) return -1;
    return 0;
}

static void cols_free(Parser *P) {
    for (int i = 0; i < N_CLAIM_COLS; i++) col_free(&P->claims[i]);
    for (int i = 0; i <= N_LINE_COLS; i++) col_free(&P->line_cols[i]);
    for (int i = 0; i < 5; i++) col_free(&P->diag_cols[i]);
}

static PyObject *bytes_of(Buf *b) { return PyBytes_FromStringAndSize(b->p ? b->p : "", (Py_ssize_t)b->len); }

/* (kind, length, null count, validity, offsets, values, item offsets) of a column. */
static PyObject *col_tuple(Col *c) {
    return Py_BuildValue("(iLLNNNN)", c->kind, (long long)c->n, (long long)c->nulls,
                         bytes_of(&c->valid), bytes_of(&c->offsets), bytes_of(&c->values),
                         bytes_of(&c->child_offsets));
}

/* Hand the open batch over as Python objects, and start the next one empty. */
static int seal(Parser *P) {
    PyObject *claims = PyTuple_New(N_CLAIM_COLS);
    PyObject *lines = PyTuple_New(1 + N_LINE_COLS);
    PyObject *diags = PyTuple_New(5);
    PyObject *batch = NULL;
    if (!claims || !lines || !diags) goto error;
    for (int i = 0; i < N_CLAIM_COLS; i++) {
        PyObject *t = col_tuple(&P->claims[i]);
        if (!t) goto error;
        PyTuple_SET_ITEM(claims, i, t);
    }
    for (int i = 0; i <= N_LINE_COLS; i++) {
        PyObject *t = col_tuple(&P->line_cols[i]);
        if (!t) goto error;
        PyTuple_SET_ITEM(lines, i, t);
    }
    for (int i = 0; i < 5; i++) {
        PyObject *t = col_tuple(&P->diag_cols[i]);
        if (!t) goto error;
        PyTuple_SET_ITEM(diags, i, t);
    }
    batch = Py_BuildValue("(LiNNN)", (long long)P->pending, P->suspicious, claims, lines, diags);
    claims = lines = diags = NULL; /* stolen by "N", even when Py_BuildValue fails */
    if (!batch) goto error;
    if (PyList_Append(P->sealed, batch) < 0) goto error;
    Py_DECREF(batch);
    for (int i = 0; i < N_CLAIM_COLS; i++) col_reset(&P->claims[i]);
    for (int i = 0; i <= N_LINE_COLS; i++) col_reset(&P->line_cols[i]);
    for (int i = 0; i < 5; i++) col_reset(&P->diag_cols[i]);
    P->pending = 0;
    P->suspicious = 0;
    return 0;
error:
    Py_XDECREF(claims);
    Py_XDECREF(lines);
    Py_XDECREF(diags);
    Py_XDECREF(batch);
    return -1;
}

/* ---------------------------------------------------------------------------------------- */
/* Claim837Handler                                                                           */

static void reset_subscriber(Parser *P) {
    clear_vals(P->sub);
    clear_vals(P->pat);
    P->arena[A_SUB].len = 0;
    P->arena[A_PAT].len = 0;
    P->sub_set = 0;
    P->has_patient = 0;
    P->loop = LOOP_NONE;
    P->in_other_payer = 0;
}

static void new_claim_state(Parser *P) {
    clear_vals(P->clm);
    P->arena[A_CLM].len = 0;
    P->lines_n = P->diags_n = P->mods_n = P->ptrs_n = 0;
    P->claim_entity_n = 0;
}

static void handler_reset(Parser *P) {
    P->has_submitted = 0;
    clear_vals(P->bill);
    P->arena[A_BILL].len = 0;
    P->bill_set = 0;
    reset_subscriber(P);
    P->has_claim = 0;
    P->claim_entity_n = 0;
    P->lines_n = 0;
}

static inline Line *cur_line(Parser *P) { return P->lines_n ? &P->lines[P->lines_n - 1] : NULL; }

static int emit(Parser *P);

/* Claim837Handler.flush: emit the claim being read, if any, and forget its lines (so that
 * an SV1 or LIN after it finds no line, as in Python). */
static int flush(Parser *P) {
    if (!P->has_claim) return 0;
    P->has_claim = 0;
    int r = emit(P);
    P->lines_n = P->diags_n = P->mods_n = P->ptrs_n = 0;
    return r;
}

/* Append the finished claim to the columns (Claim837Handler.flush and _Layout.frames). */
static int emit(Parser *P) {
    Val out[N_CLAIM_COLS];
    memset(out, 0, sizeof(out));
    for (int i = 0; i < N_CLAIM_COLS; i++)
        if (P->bill[i].st != V_ABSENT) out[i] = P->bill[i];
    int named = P->has_patient;
    Val *sub = P->sub, *pat = named ? P->pat : P->sub;
    Val empty = {V_STR, A_CONST, 0, 0, 0};
    out[C_CLAIM_TYPE].st = V_STR;
    out[C_CLAIM_TYPE].arena = A_CONST;
    if (P->institutional) {
        out[C_CLAIM_TYPE].off = 14;
        out[C_CLAIM_TYPE].len = 13;
    } else {
        out[C_CLAIM_TYPE].off = 2;
        out[C_CLAIM_TYPE].len = 12;
    }
    out[C_PAYER_ID] = sub[C_PAYER_ID].st != V_ABSENT ? sub[C_PAYER_ID] : empty;
    out[C_PAYER_NAME] = sub[C_PAYER_NAME];
    out[C_FILING_INDICATOR] = sub[C_FILING_INDICATOR];
    out[C_MEMBER_ID] = sub[C_MEMBER_ID].st != V_ABSENT ? sub[C_MEMBER_ID] : empty;
    if (named) {
        out[C_SUBSCRIBER_FIRST_NAME] = sub[C_PATIENT_FIRST_NAME];
        out[C_SUBSCRIBER_LAST_NAME] = sub[C_PATIENT_LAST_NAME];
    }
    out[C_PATIENT_FIRST_NAME] = pat[C_PATIENT_FIRST_NAME];
    out[C_PATIENT_LAST_NAME] = pat[C_PATIENT_LAST_NAME];
    out[C_PATIENT_BIRTH_DATE] = pat[C_PATIENT_BIRTH_DATE];
    out[C_PATIENT_SEX] = truthy(&pat[C_PATIENT_SEX]) ? pat[C_PATIENT_SEX] : (Val){V_NONE, 0, 0, 0, 0};
    /* patient.get("relationship") or subscriber.get("relationship") or "18" */
    if (truthy(&pat[C_PATIENT_RELATIONSHIP]))
        out[C_PATIENT_RELATIONSHIP] = pat[C_PATIENT_RELATIONSHIP];
    else if (truthy(&sub[C_PATIENT_RELATIONSHIP]))
        out[C_PATIENT_RELATIONSHIP] = sub[C_PATIENT_RELATIONSHIP];
    else
        out[C_PATIENT_RELATIONSHIP] = (Val){V_STR, A_CONST, 0, 0, 2};
    out[C_PATIENT_ADDRESS_LINE] = pat[C_PATIENT_ADDRESS_LINE];
    out[C_PATIENT_CITY] = pat[C_PATIENT_CITY];
    out[C_PATIENT_STATE] = pat[C_PATIENT_STATE];
    out[C_PATIENT_POSTAL_CODE] = pat[C_PATIENT_POSTAL_CODE];
    if (P->has_submitted) set_date(&out[C_SUBMITTED_ON], P->submitted);
    for (int i = 0; i < N_CLAIM_COLS; i++)
        if (P->clm[i].st != V_ABSENT) out[i] = P->clm[i];

    /* An 837I line without DTP*472 takes the statement start date. */
    if (P->institutional && P->clm[C_STATEMENT_FROM].st == V_DATE)
        for (size_t i = 0; i < P->lines_n; i++) {
            Val *from = &P->lines[i].v[L_SERVICE_FROM];
            if (from->st == V_ABSENT || from->st == V_NONE) *from = P->clm[C_STATEMENT_FROM];
        }
    /* The batch sorts lines out of number order: not handled here. */
    for (size_t i = 1; i < P->lines_n; i++)
        if (P->lines[i - 1].number >= P->lines[i].number) return bail(P, "lines out of order");

    for (int i = 0; i < N_CLAIM_COLS; i++)
        if (col_val(P, &P->claims[i], &out[i]) < 0) return -1;
    const char *id = val_text(P, &out[C_CLAIM_ID]);
    size_t id_n = out[C_CLAIM_ID].len;
    if (out[C_CLAIM_ID].st != V_STR) return bail(P, "claim without id");

    for (size_t i = 0; i < P->lines_n; i++) {
        Line *ln = &P->lines[i];
        Col *c = P->line_cols;
        if (col_str(P, &c[0], id, id_n, 1) < 0) return -1;
        for (int f = 0; f < N_LINE_COLS; f++) {
            Col *col = &c[1 + f];
            int r;
            if (f == L_LINE_NUMBER) {
                r = col_int(col, ln->number, 1);
            } else if (f == L_MODIFIERS) {
                r = 0;
                if (ln->has_mods)
                    for (size_t m = 0; m < ln->mod_n && r == 0; m++) {
                        Val *mv = &P->mods[ln->mod_off + m];
                        r = add_text(P, &col->values, &col->child_offsets, val_text(P, mv),
                                     mv->len);
                        col->children++;
                    }
                if (r == 0) r = col_list_end(col, ln->has_mods);
            } else if (f == L_DIAGNOSIS_POINTERS) {
                r = 0;
                if (ln->has_ptrs) {
                    r = buf_add(&col->values, &P->ptrs[ln->ptr_off], 8 * ln->ptr_n);
                    col->children += (int64_t)ln->ptr_n;
                }
                if (r == 0) r = col_list_end(col, ln->has_ptrs);
            } else {
                r = col_val(P, col, &ln->v[f]);
            }
            if (r < 0) return P->failed ? -1 : oom(P);
        }
    }
    for (size_t i = 0; i < P->diags_n; i++) {
        Diag *d = &P->diags[i];
        Col *c = P->diag_cols;
        if (col_str(P, &c[0], id, id_n, 1) < 0 || col_int(&c[1], (int64_t)i + 1, 1) < 0 ||
            col_val(P, &c[2], &d->code) < 0 || col_val(P, &c[3], &d->qualifier) < 0 ||
            col_val(P, &c[4], &d->poa) < 0)
            return P->failed ? -1 : oom(P);
    }
    P->pending++;
    if (P->pending >= P->per_batch) P->ready = 1; /* sealed by run(), with the GIL */
    return 0;
}

static int seg_bht(Parser *P) {
    Slice d = el_at(P, 4);
    if (d.n) {
        int32_t days;
        if (!parse_date(d, &days)) return bail(P, "BHT date");
        P->has_submitted = 1;
        P->submitted = days;
    }
    return 0;
}

static int seg_hl(Parser *P) {
    if (flush(P) < 0) return -1;
    Slice level = el_at(P, 3);
    if (eq(level, "20")) {
        clear_vals(P->bill);
        P->arena[A_BILL].len = 0;
        P->bill_set = 0;
        reset_subscriber(P);
        P->loop = LOOP_BILLING;
    } else if (eq(level, "22")) {
        reset_subscriber(P);
        P->loop = LOOP_SUBSCRIBER;
    } else if (eq(level, "23")) {
        clear_vals(P->pat);
        P->arena[A_PAT].len = 0;
        P->has_patient = 1;
        P->loop = LOOP_PATIENT;
        P->in_other_payer = 0;
    } else {
        return bail(P, "HL level");
    }
    return 0;
}

static int seg_prv(Parser *P) {
    if (!P->has_claim && P->loop == LOOP_BILLING && P->el_n > 3 && eq(P->el[1], "BI")) {
        P->bill_set = 1;
        return set_slice(P, &P->bill[C_BILLING_TAXONOMY], A_BILL, P->el[3]);
    }
    return 0;
}

static int seg_sbr(Parser *P) {
    if (P->has_claim) {
        P->in_other_payer = 1; /* a claim-level SBR opens the other-payer loops */
        return 0;
    }
    P->sub_set = 1;
    if (set_slice(P, &P->sub[C_PATIENT_RELATIONSHIP], A_SUB, el_at(P, 2)) < 0) return -1;
    return set_or_none(P, &P->sub[C_FILING_INDICATOR], A_SUB, el_at(P, 9));
}

static int seg_pat(Parser *P) {
    if (P->has_patient && P->el_n > 1)
        return set_slice(P, &P->pat[C_PATIENT_RELATIONSHIP], A_PAT, P->el[1]);
    return 0;
}

static int seg_dmg(Parser *P) {
    if (P->has_claim) return 0;
    if (P->loop != LOOP_PATIENT && P->loop != LOOP_SUBSCRIBER) return 0;
    int patient = P->loop == LOOP_PATIENT;
    if (patient && !P->has_patient) return 0;
    Val *target = patient ? P->pat : P->sub;
    int arena = patient ? A_PAT : A_SUB;
    Slice date = el_at(P, 2), sex = el_at(P, 3);
    if (date.n) {
        int32_t days;
        if (!eq(el_at(P, 1), "D8") || !parse_date(date, &days)) return bail(P, "DMG date");
        set_date(&target[C_PATIENT_BIRTH_DATE], days);
        if (!patient) P->sub_set = 1;
    }
    if (sex.n) {
        if (!patient) P->sub_set = 1;
        return set_slice(P, &target[C_PATIENT_SEX], arena, sex);
    }
    return 0;
}

static int nm1_header(Parser *P, Slice entity) {
    Slice last = el_at(P, 3), first = el_at(P, 4), id = el_at(P, 9);
    if (eq(entity, "85")) {
        P->bill_set = 1;
        if (set_slice(P, &P->bill[C_BILLING_NPI], A_BILL, id) < 0 ||
            set_or_none(P, &P->bill[C_BILLING_NAME], A_BILL, last) < 0)
            return -1;
        P->loop = LOOP_BILLING;
    } else if (eq(entity, "IL") && P->loop == LOOP_SUBSCRIBER) {
        P->sub_set = 1;
        if (set_slice(P, &P->sub[C_MEMBER_ID], A_SUB, id) < 0 ||
            set_or_none(P, &P->sub[C_PATIENT_LAST_NAME], A_SUB, last) < 0 ||
            set_or_none(P, &P->sub[C_PATIENT_FIRST_NAME], A_SUB, first) < 0)
            return -1;
    } else if (eq(entity, "PR") && (P->loop == LOOP_SUBSCRIBER || P->loop == LOOP_PAYER)) {
        P->sub_set = 1;
        if (set_slice(P, &P->sub[C_PAYER_ID], A_SUB, id) < 0 ||
            set_or_none(P, &P->sub[C_PAYER_NAME], A_SUB, last) < 0)
            return -1;
        P->loop = LOOP_PAYER;
    } else if (eq(entity, "QC") && P->has_patient) {
        if (set_or_none(P, &P->pat[C_PATIENT_LAST_NAME], A_PAT, last) < 0 ||
            set_or_none(P, &P->pat[C_PATIENT_FIRST_NAME], A_PAT, first) < 0)
            return -1;
        P->loop = LOOP_PATIENT;
    } else if (eq(entity, "87") || eq(entity, "41") || eq(entity, "40") || eq(entity, "PE") ||
               eq(entity, "QD")) {
        P->loop = LOOP_OTHER;
    }
    return 0;
}

static int nm1_claim(Parser *P, Slice entity) {
    Line *line = cur_line(P);
    if (!line) {
        /* The entity is kept for the N3/N4 that may follow (only 77 matters; longer ids
         * are kept as a non-matching marker). */
        P->claim_entity_n = entity.n <= 3 ? entity.n : 4;
        memcpy(P->claim_entity, entity.p, entity.n <= 3 ? entity.n : 0);
    }
    int npi, name, firstc;
    if (eq(entity, "82")) {
        npi = C_RENDERING_NPI, name = C_RENDERING_NAME, firstc = C_RENDERING_FIRST_NAME;
    } else if (eq(entity, "DN")) {
        npi = C_REFERRING_NPI, name = C_REFERRING_NAME, firstc = C_REFERRING_FIRST_NAME;
    } else if (eq(entity, "77")) {
        npi = C_FACILITY_NPI, name = C_FACILITY_NAME, firstc = -1;
    } else {
        return 0;
    }
    Slice last = el_at(P, 3), first = el_at(P, 4), id = el_at(P, 9);
    if (line) {
        if (npi == C_RENDERING_NPI)
            if (set_or_none(P, &line->v[L_RENDERING_NPI], A_CLM, id) < 0 ||
                set_or_none(P, &line->v[L_RENDERING_NAME], A_CLM, last) < 0 ||
                set_or_none(P, &line->v[L_RENDERING_FIRST_NAME], A_CLM, first) < 0)
                return -1;
        return 0;
    }
    if (set_or_none(P, &P->clm[npi], A_CLM, id) < 0 ||
        set_or_none(P, &P->clm[name], A_CLM, last) < 0)
        return -1;
    if (firstc >= 0) return set_or_none(P, &P->clm[firstc], A_CLM, first);
    return 0;
}

static int seg_nm1(Parser *P) {
    Slice entity = el_at(P, 1);
    if (!P->has_claim) return nm1_header(P, entity);
    if (!P->in_other_payer) return nm1_claim(P, entity);
    return 0;
}

/* Where an N3/N4 goes: (values, arena, column offset from the patient_* columns), or 0. */
static int address_target(Parser *P, Val **vals, int *arena, int *base) {
    if (!P->has_claim) {
        if (P->loop == LOOP_BILLING) {
            *vals = P->bill, *arena = A_BILL, *base = C_BILLING_ADDRESS_LINE;
            P->bill_set = 1;
            return 1;
        }
        if (P->loop == LOOP_SUBSCRIBER) {
            *vals = P->sub, *arena = A_SUB, *base = C_PATIENT_ADDRESS_LINE;
            P->sub_set = 1;
            return 1;
        }
        if (P->loop == LOOP_PATIENT && P->has_patient) {
            *vals = P->pat, *arena = A_PAT, *base = C_PATIENT_ADDRESS_LINE;
            return 1;
        }
        return 0;
    }
    if (!cur_line(P) && !P->in_other_payer && P->claim_entity_n == 2 &&
        memcmp(P->claim_entity, "77", 2) == 0) {
        *vals = P->clm, *arena = A_CLM, *base = C_FACILITY_ADDRESS_LINE;
        return 1;
    }
    return 0;
}

static int seg_n3(Parser *P) {
    Val *vals;
    int arena, base;
    if (!address_target(P, &vals, &arena, &base)) return 0;
    Slice a = el_at(P, 1), b = el_at(P, 2);
    /* ", ".join of the non-empty parts, or None */
    if (!a.n && !b.n) {
        set_none(&vals[base]);
        return 0;
    }
    if (!a.n || !b.n) return set_slice(P, &vals[base], arena, a.n ? a : b);
    size_t n = a.n + 2 + b.n;
    char *joined = PyMem_RawMalloc(n);
    if (!joined) return oom(P);
    memcpy(joined, a.p, a.n);
    memcpy(joined + a.n, ", ", 2);
    memcpy(joined + a.n + 2, b.p, b.n);
    int r = set_str(P, &vals[base], arena, joined, n);
    PyMem_RawFree(joined);
    return r;
}

static int seg_n4(Parser *P) {
    Val *vals;
    int arena, base;
    if (!address_target(P, &vals, &arena, &base)) return 0;
    for (int i = 1; i <= 3; i++)
        if (set_or_none(P, &vals[base + i], arena, el_at(P, (size_t)i)) < 0) return -1;
    return 0;
}

static int seg_ref(Parser *P) {
    if (P->el_n < 3) return 0;
    Slice q = P->el[1], value = P->el[2];
    if (!P->has_claim) {
        if (P->loop == LOOP_BILLING && (eq(q, "EI") || eq(q, "SY"))) {
            P->bill_set = 1;
            return set_slice(P, &P->bill[C_BILLING_TAX_ID], A_BILL, value);
        }
        return 0;
    }
    if (P->in_other_payer) return 0;
    Line *line = cur_line(P);
    if (line) {
        if (eq(q, "G1")) return set_slice(P, &line->v[L_PRIOR_AUTH_NUMBER], A_CLM, value);
        return 0;
    }
    if (eq(q, "G1")) return set_slice(P, &P->clm[C_PRIOR_AUTH_NUMBER], A_CLM, value);
    if (eq(q, "9F")) return set_slice(P, &P->clm[C_REFERRAL_NUMBER], A_CLM, value);
    if (eq(q, "F8")) return set_slice(P, &P->clm[C_ORIGINAL_CLAIM_REF], A_CLM, value);
    return 0;
}

static int seg_clm(Parser *P) {
    if (flush(P) < 0) return -1;
    if (!P->bill_set || !P->sub_set) return bail(P, "CLM before billing and subscriber");
    new_claim_state(P);
    P->has_claim = 1;
    P->clm_seen = 1;
    P->in_other_payer = 0;
    P->loop = LOOP_CLAIM;
    Slice f[3];
    components(P, el_at(P, 5), f, 3);
    if (set_slice(P, &P->clm[C_CLAIM_ID], A_CLM, el_at(P, 1)) < 0 ||
        set_slice(P, &P->clm[C_TOTAL_CHARGE], A_CLM, el_at(P, 2)) < 0)
        return -1;
    if (f[2].n && set_slice(P, &P->clm[C_FREQUENCY_CODE], A_CLM, f[2]) < 0) return -1;
    if (P->institutional) {
        if (!f[0].n) {
            set_none(&P->clm[C_TYPE_OF_BILL]);
            return 0;
        }
        char bill[1 + 2 * 64];
        if (f[0].n + f[2].n > 2 * 64) return bail(P, "long type of bill");
        bill[0] = '0';
        memcpy(bill + 1, f[0].p, f[0].n);
        memcpy(bill + 1 + f[0].n, f[2].p, f[2].n);
        return set_str(P, &P->clm[C_TYPE_OF_BILL], A_CLM, bill, 1 + f[0].n + f[2].n);
    }
    return set_or_none(P, &P->clm[C_PLACE_OF_SERVICE], A_CLM, f[0]);
}

static int seg_dtp(Parser *P) {
    if (!P->has_claim || P->in_other_payer) return 0;
    Slice q = el_at(P, 1), fmt = el_at(P, 2), value = el_at(P, 3);
    Line *line = cur_line(P);
    int32_t start = 0, end = 0;
    int has_end = 0;
    if (eq(q, "472") && line) {
        if (!parse_period(fmt, value, &start, &end, &has_end)) return bail(P, "DTP period");
        set_date(&line->v[L_SERVICE_FROM], start);
        if (has_end)
            set_date(&line->v[L_SERVICE_TO], end);
        else
            set_none(&line->v[L_SERVICE_TO]);
    } else if (line) {
        return 0;
    } else if (eq(q, "434")) {
        if (!parse_period(fmt, value, &start, &end, &has_end)) return bail(P, "DTP period");
        set_date(&P->clm[C_STATEMENT_FROM], start);
        set_date(&P->clm[C_STATEMENT_TO], has_end ? end : start);
    } else if (eq(q, "435")) {
        if (!parse_period(fmt, value, &start, &end, &has_end)) return bail(P, "DTP period");
        set_date(&P->clm[C_ADMISSION_DATE], start);
    }
    return 0;
}

static int seg_cl1(Parser *P) {
    if (P->has_claim && P->el_n > 3)
        return set_or_none(P, &P->clm[C_DISCHARGE_STATUS], A_CLM, P->el[3]);
    return 0;
}

/* DIAGNOSIS_QUALIFIERS: the HI qualifiers read as diagnoses, as their ICD-10 qualifier. */
static const char *diagnosis_qualifier(Slice q) {
    static const char *map[][2] = {
        {"ABK", "ABK"}, {"ABF", "ABF"}, {"ABJ", "ABJ"}, {"APR", "APR"}, {"ABN", "ABN"},
        {"BK", "ABK"},  {"BF", "ABF"},  {"BJ", "ABJ"},  {"PR", "APR"},  {"BN", "ABN"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (eq(q, map[i][0])) return map[i][1];
    return NULL;
}

static int seg_hi(Parser *P) {
    if (!P->has_claim || cur_line(P) || P->in_other_payer) return 0;
    for (size_t i = 1; i < P->el_n; i++) {
        if (!P->el[i].n) continue;
        Slice parts[9];
        size_t count = components(P, P->el[i], parts, 9);
        const char *q = diagnosis_qualifier(parts[0]);
        if (!q) continue;
        if (P->diags_n == P->diags_cap) {
            size_t cap = P->diags_cap ? P->diags_cap * 2 : 16;
            Diag *d = PyMem_RawRealloc(P->diags, cap * sizeof(Diag));
            if (!d) return oom(P);
            P->diags = d;
            P->diags_cap = cap;
        }
        Diag *d = &P->diags[P->diags_n++];
        memset(d, 0, sizeof(*d));
        if (set_slice(P, &d->code, A_CLM, parts[1]) < 0 ||
            set_str(P, &d->qualifier, A_CLM, q, strlen(q)) < 0)
            return -1;
        if (count > 8 && parts[8].n) {
            if (set_slice(P, &d->poa, A_CLM, parts[8]) < 0) return -1;
        } else {
            set_none(&d->poa);
        }
    }
    return 0;
}

static int seg_lx(Parser *P) {
    if (!P->has_claim) return bail(P, "LX outside a claim");
    P->in_other_payer = 0;
    int64_t number = to_int(el_at(P, 1));
    if (number < 0) return bail(P, "LX number");
    if (P->lines_n == P->lines_cap) {
        size_t cap = P->lines_cap ? P->lines_cap * 2 : 16;
        Line *l = PyMem_RawRealloc(P->lines, cap * sizeof(Line));
        if (!l) return oom(P);
        P->lines = l;
        P->lines_cap = cap;
    }
    Line *line = &P->lines[P->lines_n++];
    memset(line, 0, sizeof(*line));
    line->number = number;
    return 0;
}

/* The procedure composite (SV101 / SV202): code and up to four modifiers. */
static int procedure(Parser *P, Line *line, Slice composite) {
    Slice parts[6];
    size_t count = components(P, composite, parts, 6);
    if (count > 1 && parts[1].n &&
        set_slice(P, &line->v[L_PROCEDURE_CODE], A_CLM, parts[1]) < 0)
        return -1;
    if (count <= 2) return 0;
    size_t first = P->mods_n;
    for (size_t i = 2; i < 6 && i < count; i++) {
        if (!parts[i].n) continue;
        if (P->mods_n == P->mods_cap) {
            size_t cap = P->mods_cap ? P->mods_cap * 2 : 16;
            Val *m = PyMem_RawRealloc(P->mods, cap * sizeof(Val));
            if (!m) return oom(P);
            P->mods = m;
            P->mods_cap = cap;
        }
        Val *m = &P->mods[P->mods_n];
        memset(m, 0, sizeof(*m));
        if (set_slice(P, m, A_CLM, parts[i]) < 0) return -1;
        P->mods_n++;
    }
    if (P->mods_n > first) {
        line->has_mods = 1;
        line->mod_off = first;
        line->mod_n = P->mods_n - first;
    }
    return 0;
}

static Line *line_for(Parser *P) {
    Line *line = cur_line(P);
    if (!line || line->has_sv) {
        bail(P, "SV without its LX");
        return NULL;
    }
    line->has_sv = 1;
    return line;
}

static int seg_sv1(Parser *P) {
    Line *line = line_for(P);
    if (!line) return -1;
    Slice proc = el_at(P, 1), pos = el_at(P, 5), pointers = el_at(P, 7);
    if (proc.n && procedure(P, line, proc) < 0) return -1;
    if (set_slice(P, &line->v[L_CHARGE], A_CLM, el_at(P, 2)) < 0 ||
        set_slice(P, &line->v[L_UNITS], A_CLM, el_at(P, 4)) < 0)
        return -1;
    if (pos.n && set_slice(P, &line->v[L_PLACE_OF_SERVICE], A_CLM, pos) < 0) return -1;
    if (!pointers.n) return 0;
    /* Digits and component separators, every component a number (int('') raises). */
    size_t first = P->ptrs_n;
    const char *p = pointers.p, *end = pointers.p + pointers.n;
    for (;;) {
        const char *c = memchr(p, P->comp, (size_t)(end - p));
        Slice part = {p, (size_t)((c ? c : end) - p)};
        int64_t v = to_int(part);
        if (v < 0) return bail(P, "diagnosis pointers");
        if (P->ptrs_n == P->ptrs_cap) {
            size_t cap = P->ptrs_cap ? P->ptrs_cap * 2 : 32;
            int64_t *q = PyMem_RawRealloc(P->ptrs, cap * sizeof(int64_t));
            if (!q) return oom(P);
            P->ptrs = q;
            P->ptrs_cap = cap;
        }
        P->ptrs[P->ptrs_n++] = v;
        if (!c) break;
        p = c + 1;
    }
    line->has_ptrs = 1;
    line->ptr_off = first;
    line->ptr_n = P->ptrs_n - first;
    return 0;
}

static int seg_sv2(Parser *P) {
    Line *line = line_for(P);
    if (!line) return -1;
    Slice proc = el_at(P, 2);
    if (set_or_none(P, &line->v[L_REVENUE_CODE], A_CLM, el_at(P, 1)) < 0) return -1;
    if (proc.n && procedure(P, line, proc) < 0) return -1;
    if (set_slice(P, &line->v[L_CHARGE], A_CLM, el_at(P, 3)) < 0 ||
        set_slice(P, &line->v[L_UNITS], A_CLM, el_at(P, 5)) < 0)
        return -1;
    return 0;
}

static int seg_lin(Parser *P) {
    /* Claim837Handler has no `line` attribute before its first CLM: a LIN then raises. */
    if (!P->clm_seen) return bail(P, "LIN before any CLM");
    Line *line = cur_line(P);
    if (line && P->el_n > 3 && eq(P->el[2], "N4"))
        return set_slice(P, &line->v[L_NDC], A_CLM, P->el[3]);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Envelopes (Reader)                                                                        */

static int set_buf(Buf *b, Slice s) {
    b->len = 0;
    return buf_add(b, s.p, s.n);
}

static inline int buf_eq(Buf *b, Slice s) { return b->len == s.n && memcmp(b->p, s.p, s.n) == 0; }

static int seg_isa(Parser *P) {
    if (P->level != 0) return bail(P, "ISA out of place");
    if (P->el_n != 17) return bail(P, "ISA elements");
    Slice version = P->el[12], control = P->el[13], date = P->el[9], usage = P->el[15];
    if (!eq(version, "00501") || control.n != 9 || !all_digits(control) || date.n != 6 ||
        !all_digits(date) || !(eq(usage, "P") || eq(usage, "T")))
        return bail(P, "ISA values");
    memcpy(P->isa_control, control.p, 9);
    P->gs_count = 0;
    P->level = 1;
    return 0;
}

static int seg_iea(Parser *P) {
    if (P->level != 1) return bail(P, "IEA out of place");
    P->level = 0;
    int64_t count = to_int(el_at(P, 1));
    Slice control = el_at(P, 2);
    /* IEA02 is compared stripped: only spaces are stripped here (anything else bails). */
    while (control.n && control.p[0] == ' ') control.p++, control.n--;
    while (control.n && control.p[control.n - 1] == ' ') control.n--;
    if (count != P->gs_count || control.n != 9 || memcmp(control.p, P->isa_control, 9) != 0)
        return bail(P, "IEA values");
    return 0;
}

static int seg_gs(Parser *P) {
    if (P->level != 1) return bail(P, "GS out of place");
    P->level = 2;
    Slice control = el_at(P, 6);
    int32_t days;
    if (!all_digits(control) || !parse_date(el_at(P, 4), &days)) return bail(P, "GS values");
    if (set_buf(&P->gs_control, control) < 0 || set_buf(&P->gs_version, el_at(P, 8)) < 0)
        return oom(P);
    P->st_count = 0;
    return 0;
}

static int seg_ge(Parser *P) {
    if (P->level != 2) return bail(P, "GE out of place");
    P->gs_count++;
    P->level = 1;
    if (to_int(el_at(P, 1)) != P->st_count || !buf_eq(&P->gs_control, el_at(P, 2)))
        return bail(P, "GE values");
    return 0;
}

static int starts(Slice s, const char *lit) {
    size_t n = strlen(lit);
    return s.n >= n && memcmp(s.p, lit, n) == 0;
}

static int seg_st(Parser *P) {
    if (P->level != 2) return bail(P, "ST out of place");
    P->level = 3;
    Slice id = el_at(P, 1), control = el_at(P, 2), version = el_at(P, 3);
    if (!version.n) {
        version.p = P->gs_version.p ? P->gs_version.p : "";
        version.n = P->gs_version.len;
    }
    if (!control.n) return bail(P, "ST control");
    if (!eq(id, "837")) return bail(P, "not an 837");
    if (starts(version, "005010X222"))
        P->institutional = 0;
    else if (starts(version, "005010X223"))
        P->institutional = 1;
    else
        return bail(P, "not an 837P or 837I");
    if (set_buf(&P->st_control, control) < 0) return oom(P);
    P->st_pos = P->segments;
    P->clm_seen = 0;
    handler_reset(P);
    return 0;
}

static int seg_se(Parser *P) {
    if (P->level != 3) return bail(P, "SE out of place");
    P->st_count++;
    P->level = 2;
    if (flush(P) < 0) return -1;
    handler_reset(P);
    if (to_int(el_at(P, 1)) != P->segments - P->st_pos + 1 || !buf_eq(&P->st_control, el_at(P, 2)))
        return bail(P, "SE values");
    return 0;
}

/* One segment (elements in P->el). */
static int dispatch(Parser *P) {
    Slice id = P->el[0];
    if (id.n < 2 || id.n > 3) {
        /* Not a handled segment: skipped inside a transaction set, a problem elsewhere. */
        return P->level == 3 ? 0 : bail(P, "segment outside a transaction set");
    }
    char a = id.p[0], b = id.p[1], c = id.n == 3 ? id.p[2] : 0;
#define IS(x, y, z) (a == (x) && b == (y) && c == (z))
    if (IS('I', 'S', 'A')) return seg_isa(P);
    if (IS('I', 'E', 'A')) return seg_iea(P);
    if (IS('G', 'S', 0)) return seg_gs(P);
    if (IS('G', 'E', 0)) return seg_ge(P);
    if (IS('S', 'T', 0)) return seg_st(P);
    if (IS('S', 'E', 0)) return seg_se(P);
    if (P->level != 3) return bail(P, "segment outside a transaction set");
    switch (a) {
    case 'N':
        if (IS('N', 'M', '1')) return seg_nm1(P);
        if (IS('N', '3', 0)) return seg_n3(P);
        if (IS('N', '4', 0)) return seg_n4(P);
        break;
    case 'R':
        if (IS('R', 'E', 'F')) return seg_ref(P);
        break;
    case 'D':
        if (IS('D', 'T', 'P')) return seg_dtp(P);
        if (IS('D', 'M', 'G')) return seg_dmg(P);
        break;
    case 'H':
        if (IS('H', 'I', 0)) return seg_hi(P);
        if (IS('H', 'L', 0)) return seg_hl(P);
        break;
    case 'S':
        if (IS('S', 'V', '1')) return seg_sv1(P);
        if (IS('S', 'V', '2')) return seg_sv2(P);
        if (IS('S', 'B', 'R')) return seg_sbr(P);
        break;
    case 'L':
        if (IS('L', 'X', 0)) return seg_lx(P);
        if (IS('L', 'I', 'N')) return seg_lin(P);
        break;
    case 'C':
        if (IS('C', 'L', 'M')) return seg_clm(P);
        if (IS('C', 'L', '1')) return seg_cl1(P);
        break;
    case 'B':
        if (IS('B', 'H', 'T')) return seg_bht(P);
        break;
    case 'P':
        if (IS('P', 'R', 'V')) return seg_prv(P);
        if (IS('P', 'A', 'T')) return seg_pat(P);
        break;
    default:
        break;
    }
#undef IS
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Tokenizing                                                                                */

static inline int is_alnum(unsigned char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

/* Delimiters of the fixed-width ISA at `h` (at least ISA_LENGTH bytes); 0 when not taken. */
static int sniff(Parser *P, const char *h) {
    static const int seps[] = {3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103};
    char sep = h[3];
    for (size_t i = 0; i < sizeof(seps) / sizeof(seps[0]); i++)
        if (h[seps[i]] != sep) return 0;
    char chosen[3] = {sep, h[104], h[105]};
    for (int i = 0; i < 3; i++) {
        unsigned char ch = (unsigned char)chosen[i];
        /* Letters, digits, blanks, line breaks, NUL and non-ASCII are left to Python. */
        if (is_alnum(ch) || ch <= 0x20 || ch >= 0x7f) return 0;
    }
    if (chosen[0] == chosen[1] || chosen[0] == chosen[2] || chosen[1] == chosen[2]) return 0;
    P->sep = chosen[0];
    P->comp = chosen[1];
    P->term = chosen[2];
    P->have_delims = 1;
    /* Byte classes for the one pass that cuts a segment: 1 element separator, 2 terminator,
     * 3 a byte left to Python (line break inside a segment, NUL, non-ASCII). */
    memset(P->cls, 0, sizeof(P->cls));
    memset(P->cls + 0x80, 3, 0x80);
    P->cls['\r'] = P->cls['\n'] = P->cls[0] = 3;
    P->cls[(unsigned char)P->sep] = 1;
    P->cls[(unsigned char)P->term] = 2;
    return 1;
}

/* Room for one more element. */
static inline int el_room(Parser *P) {
    if (P->el_n < P->el_cap) return 0;
    size_t cap = P->el_cap ? P->el_cap * 2 : 32;
    Slice *e = PyMem_RawRealloc(P->el, cap * sizeof(Slice));
    if (!e) return oom(P);
    P->el = e;
    P->el_cap = cap;
    return 0;
}

/* Cut the segment starting at `s` into elements, in one pass up to its terminator.
 * Returns the terminator's address, or NULL when the buffer ends first; *bad is set when the
 * segment holds a byte left to Python. -1 in *bad on memory errors. */
static const char *cut(Parser *P, const char *s, const char *end, int *bad) {
    const unsigned char *cls = P->cls;
    const char *start = s;
    P->el_n = 0;
    *bad = 0;
    for (const char *p = s; p < end; p++) {
        unsigned char k = cls[(unsigned char)*p];
        if (k == 0) continue;
        if (k == 3) {
            *bad = 1;
            continue;
        }
        if (el_room(P) < 0) {
            *bad = -1;
            return NULL;
        }
        P->el[P->el_n].p = start;
        P->el[P->el_n].n = (size_t)(p - start);
        P->el_n++;
        if (k == 2) return p;
        start = p + 1;
    }
    return NULL;
}

/* Read the complete segments of the buffer (no Python API: the GIL is released). Stops early
 * when a batch is full (P->ready). `final`: no more input will come. */
static int scan(Parser *P, int final) {
    char *buf = P->in.p;
    size_t len = P->in.len, at = P->at;
    if (!P->started) {
        /* The tokenizer strips leading blanks and line breaks of the input. */
        while (at < len &&
               (buf[at] == ' ' || buf[at] == '\t' || buf[at] == '\r' || buf[at] == '\n'))
            at++;
        if (len - at < 3 && !final) goto more; /* wait for "ISA" to be there */
        P->started = 1;
        if (at + 3 > len || memcmp(buf + at, "ISA", 3) != 0) return bail(P, "no ISA first");
    }
    while (!P->failed && !P->ready) {
        /* Line breaks after a terminator are dropped. */
        while (at < len && (buf[at] == '\r' || buf[at] == '\n')) at++;
        if (at == len) break;
        if (len - at < 3 && !final) break;
        if (len - at >= 3 && memcmp(buf + at, "ISA", 3) == 0) {
            if (len - at < ISA_LENGTH) {
                if (!final) break;
                return bail(P, "short ISA");
            }
            if (!sniff(P, buf + at)) return bail(P, "ISA delimiters");
        }
        if (!P->have_delims) return bail(P, "no delimiters");
        if (buf[at] == P->term) { /* an empty segment is not counted */
            at++;
            continue;
        }
        int bad;
        const char *t = cut(P, buf + at, buf + len, &bad);
        if (bad < 0) return -1;
        if (!t) {
            if (len - at > MAX_SEGMENT_LENGTH) return bail(P, "no terminator");
            if (!final) break;
            /* Trailing white space is fine; a last segment without terminator is not handled. */
            for (size_t i = at; i < len; i++)
                if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' && buf[i] != '\n')
                    return bail(P, "unterminated segment");
            at = len;
            break;
        }
        if (bad) return bail(P, "segment bytes");
        if ((unsigned char)buf[at] <= 0x20) return bail(P, "blank before segment");
        P->segments++;
        if (dispatch(P) < 0) return -1;
        at = (size_t)(t - buf) + 1;
    }
more:
    if (P->failed) return -1;
    /* Keep only the unread tail. */
    if (at) {
        memmove(P->in.p, P->in.p + at, len - at);
        P->in.len = len - at;
    }
    P->at = 0;
    return 0;
}

/* scan() with the GIL released, sealing each full batch in between. */
static int run(Parser *P, int final) {
    for (;;) {
        int r;
        Py_BEGIN_ALLOW_THREADS
        r = scan(P, final);
        Py_END_ALLOW_THREADS
        if (P->nomem) {
            PyErr_NoMemory();
            return -1;
        }
        if (r < 0) return -1;
        if (!P->ready) return 0;
        P->ready = 0;
        if (seal(P) < 0) return -1;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Python type                                                                               */

static int Parser_init(Parser *P, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"claims_per_batch", NULL};
    Py_ssize_t per_batch;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "n", kwlist, &per_batch)) return -1;
    if (per_batch < 1) {
        PyErr_SetString(PyExc_ValueError, "claims_per_batch must be at least 1");
        return -1;
    }
    if (P->sealed) {
        PyErr_SetString(PyExc_RuntimeError, "Parser is already initialised");
        return -1;
    }
    P->per_batch = per_batch;
    P->sealed = PyList_New(0);
    if (!P->sealed) return -1;
    if (cols_init(P) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    handler_reset(P);
    return 0;
}

static void Parser_dealloc(Parser *P) {
    buf_free(&P->in);
    PyMem_RawFree(P->el);
    buf_free(&P->gs_control);
    buf_free(&P->gs_version);
    buf_free(&P->st_control);
    for (int i = 0; i < N_ARENA; i++) buf_free(&P->arena[i]);
    PyMem_RawFree(P->lines);
    PyMem_RawFree(P->diags);
    PyMem_RawFree(P->mods);
    PyMem_RawFree(P->ptrs);
    cols_free(P);
    Py_XDECREF(P->sealed);
    Py_TYPE(P)->tp_free((PyObject *)P);
}

/* Result of feed/finish: True while the fast path holds, False once it bailed out. */
static PyObject *outcome(Parser *P, int r) {
    if (r < 0 && !P->failed) return NULL; /* a Python exception (memory) is set */
    if (P->failed) {
        PyErr_Clear();
        Py_RETURN_FALSE;
    }
    Py_RETURN_TRUE;
}

/* A parser is used by one call at a time: its reading runs with the GIL released. */
static int usable(Parser *P) {
    if (!P->sealed) {
        PyErr_SetString(PyExc_RuntimeError, "Parser is not initialised");
        return 0;
    }
    if (P->busy) {
        PyErr_SetString(PyExc_RuntimeError, "Parser is in use by another thread");
        return 0;
    }
    return 1;
}

static PyObject *Parser_feed(Parser *P, PyObject *arg) {
    if (!usable(P)) return NULL;
    if (P->failed) Py_RETURN_FALSE;
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
    int r = buf_add(&P->in, view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    if (r < 0) return PyErr_NoMemory();
    P->busy = 1;
    r = run(P, 0);
    P->busy = 0;
    return outcome(P, r);
}

static PyObject *Parser_finish(Parser *P, PyObject *Py_UNUSED(ignored)) {
    if (!usable(P)) return NULL;
    if (P->failed) Py_RETURN_FALSE;
    P->busy = 1;
    int r = run(P, 1);
    P->busy = 0;
    if (r == 0 && !P->started) r = bail(P, "empty input");
    if (r == 0 && P->level != 0) r = bail(P, "input ends inside an envelope");
    if (r == 0 && P->in.len) r = bail(P, "unread input");
    return outcome(P, r);
}

/* The sealed batches so far: a list of (claims, suspicious, claim columns, line columns,
 * diagnosis columns); `close` seals the open batch first (even an empty one). */
static PyObject *Parser_take(Parser *P, PyObject *args) {
    int close = 0;
    if (!PyArg_ParseTuple(args, "|p", &close)) return NULL;
    if (!usable(P)) return NULL;
    if (close && seal(P) < 0) return NULL;
    PyObject *out = P->sealed;
    P->sealed = PyList_New(0);
    if (!P->sealed) {
        P->sealed = out;
        return NULL;
    }
    return out;
}

static PyObject *Parser_get_why(Parser *P, void *Py_UNUSED(closure)) {
    if (!P->failed) Py_RETURN_NONE;
    return PyUnicode_FromString(P->why ? P->why : "?");
}

static PyObject *Parser_get_pending(Parser *P, void *Py_UNUSED(closure)) {
    return PyLong_FromLongLong((long long)P->pending);
}

static PyMethodDef Parser_methods[] = {
    {"feed", (PyCFunction)Parser_feed, METH_O,
     "feed(data) -> bool: read more bytes; False once the fast path gave up."},
    {"finish", (PyCFunction)Parser_finish, METH_NOARGS,
     "finish() -> bool: the input is complete; False when the fast path gave up."},
    {"take", (PyCFunction)Parser_take, METH_VARARGS,
     "take(close=False) -> list: the sealed batches (close: seal the open one first)."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Parser_getset[] = {
    {"why", (getter)Parser_get_why, NULL, "why the fast path gave up, or None", NULL},
    {"pending", (getter)Parser_get_pending, NULL, "claims in the open batch", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject ParserType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "cleanclaim.standards.x12._fast837.Parser",
    .tp_basicsize = sizeof(Parser),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Reads an 837P/837I into columnar batches; gives up on anything unusual.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Parser_init,
    .tp_dealloc = (destructor)Parser_dealloc,
    .tp_methods = Parser_methods,
    .tp_getset = Parser_getset,
};

static PyObject *names_tuple(const char **names, int n) {
    PyObject *t = PyTuple_New(n);
    if (!t) return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *s = PyUnicode_FromString(names[i]);
        if (!s) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, i, s);
    }
    return t;
}

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_fast837",
    "C fast path of the 837 batch reader (see cleanclaim.standards.x12.fast837).", -1, NULL,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fast837(void) {
    if (PyType_Ready(&ParserType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    PyObject *columns = Py_BuildValue("(NNN)", names_tuple(CLAIM_NAMES, N_CLAIM_COLS),
                                      names_tuple(LINE_NAMES, N_LINE_COLS),
                                      names_tuple(DIAGNOSIS_NAMES, 4));
    if (!columns || PyModule_AddObject(m, "COLUMNS", columns) < 0) {
        Py_XDECREF(columns);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&ParserType);
    if (PyModule_AddObject(m, "Parser", (PyObject *)&ParserType) < 0) {
        Py_DECREF(&ParserType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
