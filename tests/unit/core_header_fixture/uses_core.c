/* Fixture: no_core_header.sh must reject this file (a tool that reads the
 * device core's state instead of the ABI). */
#include <stdint.h>
#include "mypci_core.h"
