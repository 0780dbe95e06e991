/* Hand-off: clean hardware for the next owner. */
#include <clock.h>
#include <handoff.h>
#include <lapic.h>
#include <log.h>
#include <net.h>
#include <pic.h>
#include <pit.h>
#include <virtio.h>

void handoff_quiesce(void)
{
	net_shutdown();
	virtio_reset_all();
}

void handoff_legacy_irq(void)
{
	pit_set_bios_tick();
	pic_init_masked();
	bool lapic = lapic_virtual_wire();

	struct lapic_state l = lapic_read_state();
	uint8_t pit0 = pit_status(0);
	log_debug("handoff: pit ch0 mode %u (status %#x), pic masks %#06x (bases %#x/%#x), "
		  "lapic %s svr %#x lint0 %#x lint1 %#x timer %#x",
		  pit_status_mode(pit0), pit0, pic_masks(), PIC_BIOS_MASTER_BASE,
		  PIC_BIOS_SLAVE_BASE, lapic ? "virtual wire" : "absent", l.svr, l.lint0, l.lint1,
		  l.timer);
}

void handoff_prepare(void)
{
	handoff_quiesce();
	handoff_legacy_irq();
	log_info("handoff: %zu virtio devices reset; leaving wireboot %llu ms after entry",
		 virtio_count(), (unsigned long long)clock_ms());
}
