/*
 * Replays fuzz inputs through the harness without libFuzzer, so the seed
 * corpus and the regression inputs run as a plain unit test with any
 * compiler. Arguments are files or directories (their files, in name order,
 * dot files skipped). An invariant violation aborts, as under libFuzzer;
 * finding no input at all is an error too.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_core.h"

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    size_t size = 0;
    size_t cap = 0;
    size_t n;

    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    do {
        if (size == cap) {
            uint8_t *bigger;

            cap = cap ? cap * 2 : 4096;
            bigger = realloc(data, cap);
            if (!bigger) {
                free(data);
                fclose(f);
                fprintf(stderr, "replay: %s: out of memory\n", path);
                return -1;
            }
            data = bigger;
        }
        n = fread(data + size, 1, cap - size, f);
        size += n;
    } while (n > 0);
    if (ferror(f)) {
        fprintf(stderr, "replay: %s: read error\n", path);
        free(data);
        fclose(f);
        return -1;
    }
    fclose(f);
    printf("replay: %s (%zu bytes)\n", path, size);
    fflush(stdout);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_hidden(const struct dirent *entry)
{
    return entry->d_name[0] != '.';
}

/* Returns the number of inputs replayed, or -1. */
static int replay_dir(const char *dir)
{
    struct dirent **entries;
    int count = scandir(dir, &entries, not_hidden, by_name);
    int replayed = 0;

    if (count < 0) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    for (int i = 0; i < count; i++) {
        size_t len = strlen(dir) + strlen(entries[i]->d_name) + 2;
        char *path = malloc(len);
        struct stat st;

        if (!path) {
            replayed = -1;
        } else if (replayed >= 0) {
            snprintf(path, len, "%s/%s", dir, entries[i]->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                replayed = replay_file(path) == 0 ? replayed + 1 : -1;
            }
        }
        free(path);
        free(entries[i]);
    }
    free(entries);
    return replayed;
}

int main(int argc, char **argv)
{
    int total = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        int n;

        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        n = S_ISDIR(st.st_mode) ? replay_dir(argv[i])
                                : (replay_file(argv[i]) == 0 ? 1 : -1);
        if (n < 0) {
            return 1;
        }
        total += n;
    }
    printf("replay: %d inputs, every invariant held\n", total);
    if (total == 0) {
        fprintf(stderr, "replay: no input found\n");
        return 1;
    }
    return 0;
}
