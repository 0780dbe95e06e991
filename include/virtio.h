/* Virtio devices (drivers/virtio/): one struct per device, whatever the
 * transport (PCI modern, PCI legacy, MMIO v1/v2), and split virtqueues.
 * Errors: functions return 0 on success or -1 after logging the reason. */
#ifndef WB_VIRTIO_H
#define WB_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mmio_devices.h>
#include <pci.h>

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2

#define VIRTIO_STATUS_ACK 0x01
#define VIRTIO_STATUS_DRIVER 0x02
#define VIRTIO_STATUS_DRIVER_OK 0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

#define VIRTIO_F_VERSION_1 (1ULL << 32)

enum virtio_transport { VIRTIO_PCI_MODERN, VIRTIO_PCI_LEGACY, VIRTIO_MMIO_V1, VIRTIO_MMIO_V2 };

/* Split virtqueue (virtio 1.2 s.2.7). */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_USED_F_NO_NOTIFY 1
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1 /* s.2.7.7: we poll (architecture rule 4) */

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtio_dev;

struct virtq {
	struct virtio_dev *dev;
	uint16_t index;
	uint16_t size;
	volatile struct virtq_desc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[size], used_event */
	volatile uint16_t *used;  /* flags, idx, then used_elem ring[size] */
	uint64_t mem;             /* base of the queue's pages */
	uint64_t pages;
	uint16_t free_head, num_free;
	uint16_t avail_idx; /* our shadow of avail->idx */
	uint16_t last_used;
	void **token; /* per head descriptor */
	uint64_t notify_addr; /* modern PCI: where to write the queue index */
};

struct virtio_ops {
	uint8_t (*get_status)(struct virtio_dev *d);
	void (*set_status)(struct virtio_dev *d, uint8_t s);
	uint64_t (*get_features)(struct virtio_dev *d);
	void (*set_features)(struct virtio_dev *d, uint64_t f);
	uint8_t (*cfg_read8)(struct virtio_dev *d, uint32_t off);
	uint16_t (*cfg_read16)(struct virtio_dev *d, uint32_t off);
	uint32_t (*cfg_read32)(struct virtio_dev *d, uint32_t off);
	uint16_t (*queue_max)(struct virtio_dev *d, uint16_t q);
	/* Tell the device where queue q lives and enable it. */
	int (*queue_setup)(struct virtio_dev *d, struct virtq *vq);
	void (*notify)(struct virtio_dev *d, struct virtq *vq);
	/* Config generation counter, or NULL where the transport has none. */
	uint8_t (*cfg_generation)(struct virtio_dev *d);
};

struct virtio_dev {
	enum virtio_transport transport;
	const struct virtio_ops *ops;
	uint32_t type; /* VIRTIO_ID_* */
	uint64_t features;
	char name[24]; /* "pci 00:02.0", "mmio 0xfeb00e00" */
	/* PCI */
	const struct pci_dev *pci;
	uint64_t common, isr, device_cfg, notify_base; /* modern: MMIO addresses */
	uint32_t notify_mult;
	uint16_t iobase; /* legacy */
	/* MMIO */
	uint64_t mmio;
};

/* Append the device's UEFI device path nodes (drivers/virtio/virtio_devpath.c):
 * PciRoot(0x0)/Pci(..)/... or VenHw(virtio-mmio, base). */
struct efi_dp_builder;
void virtio_device_path(const struct virtio_dev *d, struct efi_dp_builder *b);

/* Find every virtio device on PCI and MMIO; returns how many. */
size_t virtio_probe_all(void);
size_t virtio_count(void);
struct virtio_dev *virtio_get(size_t i);
const char *virtio_transport_name(enum virtio_transport t);

/* Reset, ACK, DRIVER, negotiate (wanted & offered; VERSION_1 required on
 * modern transports), FEATURES_OK. Returns 0, or -1 after setting FAILED. */
int virtio_begin(struct virtio_dev *d, uint64_t wanted);
/* DRIVER_OK: the device is live. */
void virtio_ready(struct virtio_dev *d);
/* Reset the device: it stops all DMA and forgets its queues. */
void virtio_reset(struct virtio_dev *d);
/* Reset every device we found: the hand-off rule. */
void virtio_reset_all(void);
/* Read device config bytes [off, off+len) under the generation counter. */
void virtio_cfg_read(struct virtio_dev *d, uint32_t off, void *buf, uint32_t len);

/* drivers/virtio/virtq.c */
int virtq_init(struct virtq *vq, struct virtio_dev *d, uint16_t index, uint16_t max_size);
void virtq_free(struct virtq *vq);
/* Post one buffer (device-writable if write); token (not NULL) comes back
 * from virtq_get. Returns 0 or -1 when the ring is full. */
int virtq_add(struct virtq *vq, uint64_t addr, uint32_t len, bool write, void *token);
/* One request as a chain of n descriptors, in order (virtio 1.2 s.2.7.6);
 * token comes back from virtq_get once the device used the chain, which is
 * then freed whole. Returns 0 or -1 when fewer than n descriptors are free. */
struct virtq_buf {
	uint64_t addr;
	uint32_t len;
	bool write; /* device-writable */
};
int virtq_add_chain(struct virtq *vq, const struct virtq_buf *bufs, uint16_t n, void *token);
/* Make posted buffers visible and notify the device if it wants it. */
void virtq_kick(struct virtq *vq);
/* Next used buffer: its token and the length the device wrote; NULL if none. */
void *virtq_get(struct virtq *vq, uint32_t *len);
bool virtq_has_used(const struct virtq *vq);

#endif
