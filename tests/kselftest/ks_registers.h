#ifndef MYPCI_TEST_KS_REGISTERS_H
#define MYPCI_TEST_KS_REGISTERS_H

struct ks_constant {
    const char *name;
    unsigned long long value;
};

/* Ends with a NULL name. */
extern const struct ks_constant ks_constants[];

#endif
