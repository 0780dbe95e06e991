/* IDT for the 32 CPU exceptions and the register dump they end in. */
#include <stdint.h>
#include <idt.h>
#include <io.h>
#include <log.h>

struct exc_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

struct idt_gate {
	uint16_t off0;
	uint16_t sel;
	uint8_t ist;
	uint8_t attr;
	uint16_t off1;
	uint32_t off2;
	uint32_t zero;
} __attribute__((packed));

extern const uint64_t isr_table[32];

static struct idt_gate idt[256] __attribute__((aligned(16)));
extern char isr_tick[], isr_ignore[];

/* 64-bit TSS (Intel SDM vol. 3 s.8.7): only the IST stacks are used, so a
 * double fault from a blown stack, an NMI or a machine check still runs on
 * good stack memory and prints its dump. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

#define IST_STACK_SIZE 16384
#define SEL_TSS 0x20

static struct tss64 tss __attribute__((aligned(16)));
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

/* wireboot's GDT (entry.asm's layout) plus the TSS at 0x20; the code and
 * data selectors keep their values, so no segment reload is needed. */
static uint64_t gdt[6] __attribute__((aligned(16))) = {
	0,
	0x00CF9A000000FFFFULL, /* 0x08 32-bit code */
	0x00AF9A000000FFFFULL, /* 0x10 64-bit code (Linux's __BOOT_CS) */
	0x00CF92000000FFFFULL, /* 0x18 data (Linux's __BOOT_DS) */
	0, 0,                  /* 0x20 TSS, 16 bytes */
};

static void tss_init(void)
{
	for (int i = 0; i < 3; i++)
		tss.ist[i] = (uintptr_t)&ist_stacks[i][IST_STACK_SIZE];
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */
	uint64_t base = (uintptr_t)&tss, limit = sizeof(tss) - 1;
	gdt[4] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ULL << 40 |
		 ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	gdt[5] = base >> 32;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (uintptr_t)gdt };
	__asm__ volatile("lgdt %0" ::"m"(gdtr));
	__asm__ volatile("ltr %w0" ::"r"((uint16_t)SEL_TSS));
}

static const char *const exc_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
	"invalid opcode", "device not available", "double fault", "coprocessor overrun",
	"invalid TSS", "segment not present", "stack fault", "general protection",
	"page fault", "reserved", "x87 FP error", "alignment check", "machine check",
	"SIMD FP error", "virtualization", "control protection", "reserved", "reserved",
	"reserved", "reserved", "reserved", "reserved", "hypervisor injection",
	"VMM communication", "security", "reserved",
};

void idt_init(void)
{
	tss_init();
	for (int i = 0; i < 256; i++) {
		/* Exceptions; then the timer EFI programs get; anything else
		 * (the APIC's spurious vector) returns at once. */
		uint64_t h = i < 32		 ? isr_table[i]
			     : i == IDT_TICK_VECTOR ? (uintptr_t)isr_tick
						 : (uintptr_t)isr_ignore;
		/* IST 1: double fault, 2: NMI, 3: machine check. */
		uint8_t ist = i == 8 ? 1 : i == 2 ? 2 : i == 18 ? 3 : 0;
		idt[i] = (struct idt_gate){
			.off0 = (uint16_t)h,
			.sel = 0x10,
			.ist = ist,
			.attr = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
			.off1 = (uint16_t)(h >> 16),
			.off2 = (uint32_t)(h >> 32),
		};
	}
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uintptr_t)idt };
	__asm__ volatile("lidt %0" ::"m"(idtr));
}

static bool (*describe_hook)(uint64_t addr, char *buf, size_t cap);
static void (*recover_hook)(void);

void idt_set_fault_hooks(bool (*describe)(uint64_t addr, char *buf, size_t cap),
			 void (*recover)(void))
{
	describe_hook = describe;
	recover_hook = recover;
}

/* Called from isr.asm with the saved frame; prints, then recovers through
 * the hook (an EFI program that faulted) or halts. */
__attribute__((noreturn)) void exc_handle(struct exc_frame *f);

__attribute__((noreturn)) void exc_handle(struct exc_frame *f)
{
	con_printf("\n*** wireboot: CPU exception %llu (%s), error code %#llx\n",
		   (unsigned long long)f->vector,
		   f->vector < 32 ? exc_names[f->vector] : "?", (unsigned long long)f->error);
	con_printf("RIP=%016llx CS=%04llx RFLAGS=%016llx\n", (unsigned long long)f->rip,
		   (unsigned long long)f->cs, (unsigned long long)f->rflags);
	con_printf("RSP=%016llx SS=%04llx CR2=%016llx\n", (unsigned long long)f->rsp,
		   (unsigned long long)f->ss, (unsigned long long)read_cr2());
	con_printf("CR0=%016llx CR3=%016llx CR4=%016llx\n", (unsigned long long)read_cr0(),
		   (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	con_printf("RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n",
		   (unsigned long long)f->rax, (unsigned long long)f->rbx,
		   (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	con_printf("RSI=%016llx RDI=%016llx RBP=%016llx\n", (unsigned long long)f->rsi,
		   (unsigned long long)f->rdi, (unsigned long long)f->rbp);
	con_printf("R8 =%016llx R9 =%016llx R10=%016llx R11=%016llx\n",
		   (unsigned long long)f->r8, (unsigned long long)f->r9,
		   (unsigned long long)f->r10, (unsigned long long)f->r11);
	con_printf("R12=%016llx R13=%016llx R14=%016llx R15=%016llx\n",
		   (unsigned long long)f->r12, (unsigned long long)f->r13,
		   (unsigned long long)f->r14, (unsigned long long)f->r15);
	extern char boot_stack_guard[];
	uint64_t cr2 = read_cr2(), guard = (uintptr_t)boot_stack_guard;
	if ((f->vector == 14 || f->vector == 8) && cr2 >= guard && cr2 < guard + 4096)
		con_printf("*** the firmware's boot stack overflowed (guard page %#llx)\n",
			   (unsigned long long)guard);
	char where[96];
	if (describe_hook && describe_hook(f->rip, where, sizeof(where)))
		con_printf("*** RIP is in %s\n", where);
	if (recover_hook)
		recover_hook(); /* returns only when there is nothing to recover */
	con_printf("*** halted\n");
	cpu_halt_forever();
}
