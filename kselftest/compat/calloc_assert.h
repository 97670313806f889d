/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Compatibility shim for the VFIO selftests of linux-source-7.2: its
 * lib/vfio_pci_device.c calls calloc_assert(), which that tree never
 * defines (the definition came with a later upstream change). build.sh
 * passes this header with -include only to a tree that calls the function
 * without defining it. It expands where it is used, after libvfio's
 * assert.h, so it can use VFIO_ASSERT_NOT_NULL.
 */
#ifndef MYPCI_KSELFTEST_COMPAT_CALLOC_ASSERT_H
#define MYPCI_KSELFTEST_COMPAT_CALLOC_ASSERT_H

#include <stdlib.h>

#define calloc_assert(_nmemb, _size) ({				\
	void *__p = calloc((_nmemb), (_size));			\
	VFIO_ASSERT_NOT_NULL(__p, "calloc(%zu, %zu) failed\n",	\
			     (size_t)(_nmemb), (size_t)(_size));	\
	__p;							\
})

#endif
