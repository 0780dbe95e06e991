/* Hand-off: clean hardware for the next owner. */
#include <clock.h>
#include <handoff.h>
#include <log.h>
#include <net.h>
#include <virtio.h>

void handoff_quiesce(void)
{
	net_shutdown();
	virtio_reset_all();
}

void handoff_prepare(void)
{
	handoff_quiesce();
	log_info("handoff: %zu virtio devices reset; leaving wireboot %llu ms after entry",
		 virtio_count(), (unsigned long long)clock_ms());
}
