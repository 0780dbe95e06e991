/* virtio-mmio device discovery (platform/mmio_devices.c): from the
 * command line's virtio_mmio.device= entries (QEMU microvm, Firecracker)
 * and, on microvm, by probing its fixed transport area. */
#ifndef WB_MMIO_DEVICES_H
#define WB_MMIO_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <config.h>

#define MMIO_MAX_DEVICES 32

struct mmio_dev {
	uint64_t base, size;
	uint32_t irq;
	uint32_t version;   /* 1 legacy, 2 modern */
	uint32_t device_id; /* virtio device type: 1 net, 2 block, ... */
	uint32_t vendor_id;
};

/* Parse "<size>[KMG]@<base>:<irq>[:<id>]" (Linux's virtio_mmio.device=
 * syntax; platform/mmio_cmdline.c). Pure; returns true on success. */
bool mmio_parse_device(const char *s, uint64_t *size, uint64_t *base, uint32_t *irq);

void mmio_discover(const struct config *cfg, bool probe_microvm);

size_t mmio_count(void);
const struct mmio_dev *mmio_get(size_t i);

#endif
