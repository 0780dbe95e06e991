/* Split virtqueues (virtio 1.2 s.2.7), in a layout legacy devices accept
 * too: descriptors, then the available ring, then the used ring on the next
 * 4 KiB boundary. One descriptor per buffer (virtq_add), or a chain of
 * them for one request (virtq_add_chain: virtio-blk). Every queue is polled, so
 * each tells its device not to interrupt (VIRTQ_AVAIL_F_NO_INTERRUPT). */
#include <string.h>
#include <align.h>
#include <compiler.h>
#include <log.h>
#include <sysmem.h>
#include <virtio.h>

int virtq_init(struct virtq *vq, struct virtio_dev *d, uint16_t index, uint16_t max_size)
{
	uint16_t size = d->ops->queue_max(d, index);

	memset(vq, 0, sizeof(*vq));
	if (!size) {
		log_error("virtio %s: queue %u does not exist", d->name, index);
		return -1;
	}
	/* Legacy transports cannot shrink a queue; modern ones can. */
	if (size > max_size && (d->transport == VIRTIO_PCI_MODERN || d->transport == VIRTIO_MMIO_V2))
		size = max_size;
	if (size & (size - 1)) {
		log_error("virtio %s: queue %u size %u is not a power of two", d->name, index, size);
		return -1;
	}
	uint64_t desc_bytes = 16ULL * size;
	uint64_t avail_bytes = 6 + 2ULL * size;
	uint64_t used_off = align_up(desc_bytes + avail_bytes, 4096);
	uint64_t total = used_off + align_up(6 + 8ULL * size, 4096);
	vq->pages = total / PAGE_SIZE;
	void *m = sysmem_alloc_pages(vq->pages, MEM_BS_DATA, 0);
	vq->token = sysmem_zalloc(sizeof(void *) * size);
	if (!m || !vq->token) {
		log_error("virtio %s: no memory for queue %u (%u entries)", d->name, index, size);
		if (m)
			memmap_free(&sys_memmap, (uintptr_t)m, vq->pages);
		sysmem_free(vq->token);
		return -1;
	}
	memset(m, 0, total);
	vq->dev = d;
	vq->index = index;
	vq->size = size;
	vq->mem = (uintptr_t)m;
	vq->desc = m;
	vq->avail = (volatile uint16_t *)((uint8_t *)m + desc_bytes);
	vq->used = (volatile uint16_t *)((uint8_t *)m + used_off);
	/* s.2.7.7: a hint the device may ignore; nobody takes the interrupt. */
	vq->avail[0] = VIRTQ_AVAIL_F_NO_INTERRUPT;
	for (uint16_t i = 0; i < size; i++)
		vq->desc[i].next = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->num_free = size;
	if (d->ops->queue_setup(d, vq)) {
		virtq_free(vq);
		return -1;
	}
	return 0;
}

void virtq_free(struct virtq *vq)
{
	if (vq->mem)
		memmap_free(&sys_memmap, vq->mem, vq->pages);
	sysmem_free(vq->token);
	memset(vq, 0, sizeof(*vq));
}

int virtq_add(struct virtq *vq, uint64_t addr, uint32_t len, bool write, void *token)
{
	if (!vq->num_free || !token)
		return -1;
	uint16_t head = vq->free_head;
	volatile struct virtq_desc *dsc = &vq->desc[head];
	vq->free_head = dsc->next;
	vq->num_free--;
	dsc->addr = addr;
	dsc->len = len;
	dsc->flags = write ? VIRTQ_DESC_F_WRITE : 0;
	vq->token[head] = token;
	vq->avail[2 + (vq->avail_idx & (vq->size - 1))] = head;
	vq->avail_idx++;
	return 0;
}

int virtq_add_chain(struct virtq *vq, const struct virtq_buf *bufs, uint16_t n, void *token)
{
	if (!n || n > vq->num_free || !token)
		return -1;
	uint16_t head = vq->free_head, i = head;
	for (uint16_t k = 0; k < n; k++) {
		volatile struct virtq_desc *dsc = &vq->desc[i];
		dsc->addr = bufs[k].addr;
		dsc->len = bufs[k].len;
		dsc->flags = (bufs[k].write ? VIRTQ_DESC_F_WRITE : 0) |
			     (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
		/* The free list already links the descriptors: next is kept. */
		i = dsc->next;
	}
	vq->free_head = i;
	vq->num_free -= n;
	vq->token[head] = token;
	vq->avail[2 + (vq->avail_idx & (vq->size - 1))] = head;
	vq->avail_idx++;
	return 0;
}

void virtq_kick(struct virtq *vq)
{
	barrier();
	vq->avail[1] = vq->avail_idx;
	/* x86 keeps stores in order; the fence orders the idx store before
	 * the read of the device's NO_NOTIFY flag. */
	__asm__ volatile("mfence" ::: "memory");
	if (!(vq->used[0] & VIRTQ_USED_F_NO_NOTIFY))
		vq->dev->ops->notify(vq->dev, vq);
}

bool virtq_has_used(const struct virtq *vq)
{
	return vq->size && vq->used[1] != vq->last_used;
}

void *virtq_get(struct virtq *vq, uint32_t *len)
{
	if (!virtq_has_used(vq))
		return NULL;
	barrier();
	volatile struct virtq_used_elem *ring = (volatile struct virtq_used_elem *)(vq->used + 2);
	struct virtq_used_elem e = { ring[vq->last_used & (vq->size - 1)].id,
				     ring[vq->last_used & (vq->size - 1)].len };
	vq->last_used++;
	if (e.id >= vq->size) {
		log_error("virtio %s: device returned descriptor %u of %u; ignored", vq->dev->name,
			  e.id, vq->size);
		return NULL;
	}
	void *token = vq->token[e.id];
	if (!token) {
		log_error("virtio %s: device returned descriptor %u twice; ignored", vq->dev->name,
			  e.id);
		return NULL;
	}
	vq->token[e.id] = NULL;
	/* Give the whole chain back: follow NEXT (bounded by the ring). */
	uint16_t tail = (uint16_t)e.id, n = 1;
	while ((vq->desc[tail].flags & VIRTQ_DESC_F_NEXT) && n < vq->size) {
		tail = vq->desc[tail].next;
		n++;
	}
	vq->desc[tail].next = vq->free_head;
	vq->free_head = (uint16_t)e.id;
	vq->num_free += n;
	*len = e.len;
	return token;
}
