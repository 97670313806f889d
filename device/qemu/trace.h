#include "trace/trace-hw_mypci.h"
