/* Where a virtio device sits, as a UEFI device path (UEFI 2.10 s.10.3):
 * PciRoot(0x0)/Pci(bridge)/.../Pci(dev,fn) on PCI, the way OVMF names
 * PCI devices, or wireboot's VenHw node with the base address for a
 * virtio-mmio device. */
#include <efi_devpath.h>
#include <pci.h>
#include <virtio.h>

#define MAX_BRIDGE_DEPTH 8

/* The bridge whose secondary bus is bus, or NULL. */
static const struct pci_dev *bridge_to(uint8_t bus)
{
	for (size_t i = 0; i < pci_count(); i++) {
		const struct pci_dev *p = pci_get(i);
		if (p->hdr_type == 1 && p->secondary == bus)
			return p;
	}
	return NULL;
}

void virtio_device_path(const struct virtio_dev *d, struct efi_dp_builder *b)
{
	if (d->transport == VIRTIO_MMIO_V1 || d->transport == VIRTIO_MMIO_V2) {
		efi_dp_add_virtio_mmio(b, d->mmio);
		return;
	}
	/* Walk up from the device to bus 0, then emit the nodes top down. */
	const struct pci_dev *chain[MAX_BRIDGE_DEPTH + 1];
	size_t n = 0;
	chain[n++] = d->pci;
	while (chain[n - 1]->bus != 0 && n <= MAX_BRIDGE_DEPTH) {
		const struct pci_dev *up = bridge_to(chain[n - 1]->bus);
		if (!up)
			break;
		chain[n++] = up;
	}
	efi_dp_add_pci_root(b, false, 0);
	for (; n; n--)
		efi_dp_add_pci(b, chain[n - 1]->dev, chain[n - 1]->fn);
}
