/* Fixture: core_has_no_qemu_include.sh must reject this file. */
#include <string.h>
#include "qemu/osdep.h"
#include "mypci_core.h"
