/*
 * The driver ops wrappers' state and limit checks (driver/lib/pci_driver.c),
 * one test per check, against a fake driver on a device that is never
 * opened: the wrappers only look at dev->driver.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "vfio/pci_device.h"
#include "vfio/pci_driver.h"

/* What the fake driver saw; reset by setup(). */
static struct {
    int probes, inits, removes, starts, waits, msis;
    int init_result, start_result, wait_result;
} fake;

static struct vfio_pci_device dev;

static int fake_probe(struct vfio_pci_device *d)
{
    (void)d;
    fake.probes++;
    return 0;
}

static int refuse_probe(struct vfio_pci_device *d)
{
    (void)d;
    return -EINVAL;
}

static int fake_init(struct vfio_pci_device *d, struct vfio_error *e)
{
    (void)e;
    fake.inits++;
    d->driver.max_memcpy_size = 4096;
    d->driver.max_memcpy_count = 2;
    return fake.init_result;
}

static void fake_remove(struct vfio_pci_device *d)
{
    (void)d;
    fake.removes++;
}

static int fake_start(struct vfio_pci_device *d, uint64_t src, uint64_t dst,
                      uint64_t size, uint64_t count)
{
    (void)d, (void)src, (void)dst, (void)size, (void)count;
    fake.starts++;
    return fake.start_result;
}

static int fake_wait(struct vfio_pci_device *d)
{
    (void)d;
    fake.waits++;
    return fake.wait_result;
}

static void fake_send_msi(struct vfio_pci_device *d)
{
    (void)d;
    fake.msis++;
}

static const struct vfio_pci_driver_ops full_ops = {
    .name = "fake",
    .probe = fake_probe,
    .init = fake_init,
    .remove = fake_remove,
    .memcpy_start = fake_start,
    .memcpy_wait = fake_wait,
    .send_msi = fake_send_msi,
};

/* A driver with neither a DMA engine nor an interrupt to send. */
static const struct vfio_pci_driver_ops bare_ops = {
    .name = "bare",
    .probe = fake_probe,
    .init = fake_init,
    .remove = fake_remove,
};

static const struct vfio_pci_driver_ops refusing_ops = {
    .name = "refusing",
    .probe = refuse_probe,
};

static void setup(void)
{
    memset(&fake, 0, sizeof(fake));
    memset(&dev, 0, sizeof(dev));
    strcpy(dev.bdf, "0000:00:03.0");
}

static void probe_init(const struct vfio_pci_driver_ops *ops)
{
    const struct vfio_pci_driver_ops *const list[] = {&refusing_ops, ops, NULL};

    ck_assert_int_eq(vfio_pci_driver_probe(&dev, list, NULL), 0);
    ck_assert_ptr_eq(dev.driver.ops, ops);
    ck_assert_int_eq(vfio_pci_driver_init(&dev, NULL), 0);
    ck_assert(dev.driver.initialized);
}

START_TEST(probe_takes_the_first_that_says_yes)
{
    probe_init(&full_ops);
    ck_assert_int_eq(fake.probes, 1);
}
END_TEST

START_TEST(probe_without_a_taker_is_enodev)
{
    const struct vfio_pci_driver_ops *const list[] = {&refusing_ops, NULL};
    struct vfio_error e = {0};

    ck_assert_int_eq(vfio_pci_driver_probe(&dev, list, &e), -ENODEV);
    ck_assert_ptr_null(dev.driver.ops);
    ck_assert_int_eq(e.cause, VFIO_CAUSE_UNSUPPORTED);
}
END_TEST

START_TEST(probe_of_an_initialised_device_is_ebusy)
{
    const struct vfio_pci_driver_ops *const list[] = {&bare_ops, NULL};

    probe_init(&full_ops);
    ck_assert_int_eq(vfio_pci_driver_probe(&dev, list, NULL), -EBUSY);
    ck_assert_ptr_eq(dev.driver.ops, &full_ops);
}
END_TEST

START_TEST(init_before_probe_is_einval)
{
    ck_assert_int_eq(vfio_pci_driver_init(&dev, NULL), -EINVAL);
    ck_assert(!dev.driver.initialized);
}
END_TEST

START_TEST(init_twice_is_ebusy)
{
    probe_init(&full_ops);
    ck_assert_int_eq(vfio_pci_driver_init(&dev, NULL), -EBUSY);
    ck_assert_int_eq(fake.inits, 1);
}
END_TEST

START_TEST(failed_init_leaves_it_uninitialised)
{
    const struct vfio_pci_driver_ops *const list[] = {&full_ops, NULL};

    fake.init_result = -EIO;
    ck_assert_int_eq(vfio_pci_driver_probe(&dev, list, NULL), 0);
    ck_assert_int_eq(vfio_pci_driver_init(&dev, NULL), -EIO);
    ck_assert(!dev.driver.initialized);
    vfio_pci_driver_remove(&dev);
    ck_assert_int_eq(fake.removes, 0);
}
END_TEST

START_TEST(remove_only_once)
{
    probe_init(&full_ops);
    vfio_pci_driver_remove(&dev);
    vfio_pci_driver_remove(&dev);
    ck_assert_int_eq(fake.removes, 1);
    ck_assert(!dev.driver.initialized);
}
END_TEST

START_TEST(memcpy_before_init_is_einval)
{
    const struct vfio_pci_driver_ops *const list[] = {&full_ops, NULL};

    ck_assert_int_eq(vfio_pci_driver_probe(&dev, list, NULL), 0);
    ck_assert_int_eq(vfio_pci_driver_memcpy(&dev, 0, 0, 64), -EINVAL);
    ck_assert_int_eq(vfio_pci_driver_memcpy_wait(&dev), -EINVAL);
    ck_assert_int_eq(fake.starts + fake.waits, 0);
}
END_TEST

START_TEST(memcpy_without_the_op_is_eopnotsupp)
{
    probe_init(&bare_ops);
    ck_assert_int_eq(vfio_pci_driver_memcpy(&dev, 0, 0, 64), -EOPNOTSUPP);
    ck_assert_int_eq(vfio_pci_driver_memcpy_wait(&dev), -EOPNOTSUPP);
}
END_TEST

START_TEST(memcpy_size_limits)
{
    probe_init(&full_ops);
    ck_assert_int_eq(vfio_pci_driver_memcpy(&dev, 0, 0, 0), -EINVAL);
    ck_assert_int_eq(vfio_pci_driver_memcpy(&dev, 0, 0, 4097), -EINVAL);
    ck_assert_int_eq(fake.starts, 0);
    ck_assert_int_eq(vfio_pci_driver_memcpy(&dev, 0, 0, 4096), 0);
    ck_assert_int_eq(fake.starts, 1);
    ck_assert_int_eq(fake.waits, 1);
}
END_TEST

START_TEST(memcpy_count_limits)
{
    probe_init(&full_ops);
    ck_assert_int_eq(vfio_pci_driver_memcpy_start(&dev, 0, 0, 64, 3), -E2BIG);
    ck_assert_int_eq(vfio_pci_driver_memcpy_start(&dev, 0, 0, 64, 0), -EINVAL);
    ck_assert_int_eq(fake.starts, 0);
    ck_assert_int_eq(vfio_pci_driver_memcpy_start(&dev, 0, 0, 64, 2), 0);
}
END_TEST

START_TEST(memcpy_one_at_a_time)
{
    probe_init(&full_ops);
    ck_assert_int_eq(vfio_pci_driver_memcpy_start(&dev, 0, 0, 64, 1), 0);
    ck_assert(dev.driver.memcpy_in_progress);
    ck_assert_int_eq(vfio_pci_driver_memcpy_start(&dev, 0, 0, 64, 1), -EBUSY);
    ck_assert_int_eq(fake.starts, 1);
    ck_assert_int_eq(vfio_pci_driver_memcpy_wait(&dev), 0);
    ck_assert(!dev.driver.memcpy_in_progress);
    ck_assert_int_eq(vfio_pci_driver_memcpy_wait(&dev), -EINVAL);
    ck_assert_int_eq(fake.waits, 1);
}
END_TEST

START_TEST(memcpy_failures_pass_through)
{
    probe_init(&full_ops);
    fake.start_result = -EIO;
    ck_assert_int_eq(vfio_pci_driver_memcpy_start(&dev, 0, 0, 64, 1), -EIO);
    ck_assert(!dev.driver.memcpy_in_progress);
    fake.start_result = 0;
    fake.wait_result = -EIO;
    ck_assert_int_eq(vfio_pci_driver_memcpy(&dev, 0, 0, 64), -EIO);
    ck_assert(!dev.driver.memcpy_in_progress);
}
END_TEST

START_TEST(remove_ends_a_copy_in_progress)
{
    probe_init(&full_ops);
    ck_assert_int_eq(vfio_pci_driver_memcpy_start(&dev, 0, 0, 64, 1), 0);
    vfio_pci_driver_remove(&dev);
    ck_assert(!dev.driver.memcpy_in_progress);
}
END_TEST

START_TEST(send_msi_checks)
{
    const struct vfio_pci_driver_ops *const list[] = {&full_ops, NULL};

    ck_assert_int_eq(vfio_pci_driver_send_msi(&dev), -EOPNOTSUPP);
    ck_assert_int_eq(vfio_pci_driver_probe(&dev, list, NULL), 0);
    ck_assert_int_eq(vfio_pci_driver_send_msi(&dev), -EINVAL);
    ck_assert_int_eq(vfio_pci_driver_init(&dev, NULL), 0);
    ck_assert_int_eq(vfio_pci_driver_send_msi(&dev), 0);
    ck_assert_int_eq(fake.msis, 1);
}
END_TEST

START_TEST(send_msi_without_the_op_is_eopnotsupp)
{
    probe_init(&bare_ops);
    ck_assert_int_eq(vfio_pci_driver_send_msi(&dev), -EOPNOTSUPP);
}
END_TEST

static Suite *pci_driver_suite(void)
{
    Suite *s = suite_create("pci_driver");
    TCase *t = tcase_create("wrappers");

    tcase_add_checked_fixture(t, setup, NULL);
    tcase_add_test(t, probe_takes_the_first_that_says_yes);
    tcase_add_test(t, probe_without_a_taker_is_enodev);
    tcase_add_test(t, probe_of_an_initialised_device_is_ebusy);
    tcase_add_test(t, init_before_probe_is_einval);
    tcase_add_test(t, init_twice_is_ebusy);
    tcase_add_test(t, failed_init_leaves_it_uninitialised);
    tcase_add_test(t, remove_only_once);
    tcase_add_test(t, memcpy_before_init_is_einval);
    tcase_add_test(t, memcpy_without_the_op_is_eopnotsupp);
    tcase_add_test(t, memcpy_size_limits);
    tcase_add_test(t, memcpy_count_limits);
    tcase_add_test(t, memcpy_one_at_a_time);
    tcase_add_test(t, memcpy_failures_pass_through);
    tcase_add_test(t, remove_ends_a_copy_in_progress);
    tcase_add_test(t, send_msi_checks);
    tcase_add_test(t, send_msi_without_the_op_is_eopnotsupp);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pci_driver_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
