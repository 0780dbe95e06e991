/* EFI images (UEFI 2.10 s.7.4): LoadImage, StartImage, Exit, UnloadImage,
 * and the Loaded Image protocols. The PE/COFF work is efi/pe.c's; this
 * file places images in memory, gives each a handle, runs it on a stack
 * of its own and brings control back when it exits. */
#include <string.h>
#include <efi_core.h>
#include <efi_devpath.h>
#include <efi_file.h>
#include <efi_event.h>
#include <efi_handle.h>
#include <efi_image.h>
#include <efi_status.h>
#include <efi_memory.h>
#include <efi_systab.h>
#include <efi_tick.h>
#include <io.h>
#include <format.h>
#include <log.h>
#include <pe.h>
#include <sysmem.h>

#define IMAGE_MAGIC 0x494d4147u /* "IMAG" */
/* UEFI 2.10 s.2.3.4: at least 128 KiB of stack for a program. */
#define IMAGE_STACK_PAGES 64

uint64_t efi_call_entry(void *entry, void *handle, void *systab, void *stack_top);

struct efi_image {
	uint32_t magic;
	EFI_HANDLE handle;
	EFI_LOADED_IMAGE_PROTOCOL li;
	EFI_DEVICE_PATH *full_path; /* LoadedImageDevicePath, or NULL */
	uint64_t base, pages;
	uint64_t entry;
	bool started;
	bool running; /* between StartImage and its return */
	void *jmp[5]; /* __builtin_setjmp: where Exit() comes back to */
	EFI_STATUS exit_status;
	UINTN exit_data_size;
	CHAR16 *exit_data;
	char name[48];
	struct efi_image *next;
};

static const EFI_GUID loaded_image_guid = LOADED_IMAGE_PROTOCOL;
static const EFI_GUID loaded_image_dp_guid = EFI_LOADED_IMAGE_DEVICE_PATH_PROTOCOL_GUID;
static const EFI_GUID device_path_guid = DEVICE_PATH_PROTOCOL;
static const EFI_GUID load_file_guid = LOAD_FILE_PROTOCOL;
static const EFI_GUID load_file2_guid = { 0x4006c0c1, 0xfcb3, 0x403e,
					  { 0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d } };

static struct efi_image *images;
static struct efi_image *running; /* the innermost image in StartImage */
static struct efi_image firmware_image;

static struct efi_image *image_of(EFI_HANDLE h)
{
	if (!h)
		return NULL;
	for (struct efi_image *im = images; im; im = im->next)
		if (im->handle == h && im->magic == IMAGE_MAGIC)
			return im;
	return NULL;
}

static void set_name(struct efi_image *im, const char *name)
{
	size_t n = strlen(name);
	if (n >= sizeof(im->name))
		name += n - (sizeof(im->name) - 1); /* keep the end: the file name */
	memcpy(im->name, name, strlen(name) + 1);
}

EFI_HANDLE efi_image_init_firmware(void)
{
	struct efi_image *im = &firmware_image;
	extern char __image_start[], __image_end[];

	im->magic = IMAGE_MAGIC;
	im->li.Revision = EFI_LOADED_IMAGE_PROTOCOL_REVISION;
	im->li.SystemTable = efi_systab();
	im->li.ImageBase = __image_start;
	im->li.ImageSize = (uintptr_t)__image_end - (uintptr_t)__image_start;
	im->li.ImageCodeType = EfiRuntimeServicesCode;
	im->li.ImageDataType = EfiRuntimeServicesData;
	im->started = im->running = true;
	set_name(im, "wireboot");
	if (EFI_ERROR(efi_protocol_install(&im->handle, &loaded_image_guid, &im->li)))
		return NULL;
	im->next = images;
	images = im;
	return im->handle;
}

/* Free what LoadImage took: the pages, the protocols, the handle. */
static void image_free(struct efi_image *im)
{
	struct efi_image **pp = &images;
	while (*pp && *pp != im)
		pp = &(*pp)->next;
	if (*pp)
		*pp = im->next;
	/* Whatever it left open (GRUB's SNP, say) is open no longer, and
	 * events it left behind would call code that is about to be freed. */
	efi_handle_forget_agent(im->handle);
	if (im->pages)
		efi_events_forget_code(im->base, im->pages << PAGE_SHIFT);
	efi_protocol_uninstall(im->handle, &loaded_image_guid, &im->li);
	if (im->full_path) {
		efi_protocol_uninstall(im->handle, &loaded_image_dp_guid, im->full_path);
		sysmem_free(im->full_path);
	}
	if (im->li.FilePath)
		sysmem_free(im->li.FilePath);
	if (im->pages)
		efi_mem_free_pages(im->base, im->pages);
	im->magic = 0;
	sysmem_free(im);
}

/* Read a file through a LoadFile or LoadFile2 protocol found on the device
 * path (UEFI 2.10 s.7.4.1 steps for a NULL SourceBuffer). */
static EFI_STATUS load_through_protocol(EFI_DEVICE_PATH *dp, BOOLEAN boot_policy, void **buf,
					UINTN *size, uint64_t *pages)
{
	const EFI_GUID *guids[2] = { &load_file2_guid, &load_file_guid };
	for (int i = 0; i < 2; i++) {
		EFI_DEVICE_PATH *rest = dp;
		EFI_HANDLE h;
		if (EFI_ERROR(efi_locate_device_path(guids[i], &rest, &h)))
			continue;
		EFI_LOAD_FILE_INTERFACE *lf = efi_protocol_find(h, guids[i]);
		if (!lf)
			continue;
		/* LoadFile2 takes BootPolicy FALSE only (UEFI 2.10 s.13.2). */
		BOOLEAN policy = i == 0 ? FALSE : boot_policy;
		UINTN n = 0;
		EFI_STATUS st = lf->LoadFile(lf, rest, policy, &n, NULL);
		if (st != EFI_BUFFER_TOO_SMALL)
			return EFI_ERROR(st) ? st : EFI_LOAD_ERROR;
		*pages = memmap_pages(n);
		EFI_PHYSICAL_ADDRESS a;
		if (EFI_ERROR(efi_mem_allocate_pages(AllocateAnyPages, EfiBootServicesData, *pages,
						     &a)))
			return EFI_OUT_OF_RESOURCES;
		st = lf->LoadFile(lf, rest, policy, &n, (void *)(uintptr_t)a);
		if (EFI_ERROR(st)) {
			efi_mem_free_pages(a, *pages);
			return st;
		}
		*buf = (void *)(uintptr_t)a;
		*size = n;
		return EFI_SUCCESS;
	}
	return EFI_NOT_FOUND;
}

/* Read the file a device path names through Simple File System, the
 * first way UEFI 2.10 s.7.4.1 gives for a NULL SourceBuffer. */
static EFI_STATUS load_through_fs(EFI_DEVICE_PATH *dp, void **buf, UINTN *size, uint64_t *pages)
{
	EFI_FILE_HANDLE f;
	EFI_STATUS st = efi_file_open_path(dp, &f);

	if (EFI_ERROR(st))
		return st;
	uint8_t *b;
	uint64_t n;
	st = efi_file_read_all(f, MEM_BS_DATA, UINT64_MAX, &b, &n, pages);
	f->Close(f);
	if (EFI_ERROR(st))
		return st;
	*buf = b;
	*size = (UINTN)n;
	return EFI_SUCCESS;
}

/* Why a load failed: an error when our boot manager asked, a debug line
 * when a program did (iPXE probes every image it holds with LoadImage;
 * the status it gets back is the answer). */
#define load_log(loud, ...)                        \
	do {                                       \
		if (loud)                          \
			log_error(__VA_ARGS__);    \
		else                               \
			log_debug(__VA_ARGS__);    \
	} while (0)

EFI_STATUS efi_image_load(EFI_HANDLE parent, EFI_DEVICE_PATH *dp, const void *src, UINTN len,
			  const char *name, EFI_HANDLE *out)
{
	bool loud = parent == firmware_image.handle;
	struct pe_info pi;
	void *file_buf = NULL;
	uint64_t file_pages = 0;
	EFI_STATUS st;

	if (!out || !image_of(parent))
		return EFI_INVALID_PARAMETER;
	if (dp && !efi_devpath_valid(dp, EFI_DEVPATH_LIMIT))
		return EFI_INVALID_PARAMETER;
	if (!src) {
		if (!dp)
			return EFI_NOT_FOUND;
		st = load_through_fs(dp, &file_buf, &len, &file_pages);
		if (st == EFI_NOT_FOUND)
			st = load_through_protocol(dp, TRUE, &file_buf, &len, &file_pages);
		if (EFI_ERROR(st)) {
			load_log(loud, "efi: LoadImage %s: nothing on its device path could read it (%s)",
				  name, efi_status_str(st));
			return st;
		}
		src = file_buf;
	}
	int rc = pe_parse(src, len, &pi);
	if (rc) {
		if (rc == PE_E_MACHINE)
			load_log(loud, "efi: LoadImage %s: a PE image for %s, not x86_64", name,
				  pe_machine_name(pi.machine));
		else if (rc == PE_E_SUBSYSTEM)
			load_log(loud, "efi: LoadImage %s: subsystem %u (%s) is not an EFI program", name,
				  pi.subsystem, pe_subsystem_name(pi.subsystem));
		else
			load_log(loud, "efi: LoadImage %s: %s", name, pe_strerror(rc));
		st = (rc == PE_E_MACHINE || rc == PE_E_SUBSYSTEM || rc == PE_E_PE32)
			     ? EFI_UNSUPPORTED : EFI_LOAD_ERROR;
		goto out_file;
	}
	UINT32 code = EfiLoaderCode, data = EfiLoaderData;
	if (pi.subsystem == PE_SUBSYSTEM_EFI_BOOT_DRIVER) {
		code = EfiBootServicesCode;
		data = EfiBootServicesData;
	} else if (pi.subsystem == PE_SUBSYSTEM_EFI_RUNTIME_DRIVER) {
		code = EfiRuntimeServicesCode;
		data = EfiRuntimeServicesData;
	}
	struct efi_image *im = sysmem_zalloc(sizeof(*im));
	if (!im) {
		st = EFI_OUT_OF_RESOURCES;
		goto out_file;
	}
	uint64_t align = pi.section_alignment > PAGE_SIZE ? pi.section_alignment : PAGE_SIZE;
	im->pages = memmap_pages(pi.size_of_image);
	if (pi.relocs_stripped) {
		im->base = pi.image_base;
		st = efi_mem_allocate_pages(AllocateAddress, code, im->pages, &im->base);
	} else {
		/* Over-allocate by the alignment, then give the slack back. */
		uint64_t extra = (align - PAGE_SIZE) >> PAGE_SHIFT;
		EFI_PHYSICAL_ADDRESS a;
		st = efi_mem_allocate_pages(AllocateAnyPages, code, im->pages + extra, &a);
		if (!EFI_ERROR(st)) {
			im->base = (a + align - 1) & ~(align - 1);
			if (im->base > a)
				efi_mem_free_pages(a, (im->base - a) >> PAGE_SHIFT);
			uint64_t tail = a + ((im->pages + extra) << PAGE_SHIFT);
			uint64_t end = im->base + (im->pages << PAGE_SHIFT);
			if (tail > end)
				efi_mem_free_pages(end, (tail - end) >> PAGE_SHIFT);
		}
	}
	if (EFI_ERROR(st)) {
		load_log(loud, "efi: LoadImage %s: no room for %u KiB%s", name, pi.size_of_image >> 10,
			  pi.relocs_stripped ? " at its fixed address" : "");
		im->pages = 0;
		sysmem_free(im);
		goto out_file;
	}
	rc = pe_load(src, len, &pi, (uint8_t *)(uintptr_t)im->base, im->base);
	if (rc) {
		load_log(loud, "efi: LoadImage %s: %s", name, pe_strerror(rc));
		efi_mem_free_pages(im->base, im->pages);
		sysmem_free(im);
		st = EFI_LOAD_ERROR;
		goto out_file;
	}
	im->magic = IMAGE_MAGIC;
	im->entry = im->base + pi.entry_rva;
	set_name(im, name);
	im->li.Revision = EFI_LOADED_IMAGE_PROTOCOL_REVISION;
	im->li.ParentHandle = parent;
	im->li.SystemTable = efi_systab();
	im->li.ImageBase = (void *)(uintptr_t)im->base;
	im->li.ImageSize = pi.size_of_image;
	im->li.ImageCodeType = code;
	im->li.ImageDataType = data;
	if (dp) {
		/* DeviceHandle: the device the path names; FilePath: the rest. */
		EFI_DEVICE_PATH *rest = dp;
		EFI_HANDLE dev;
		if (!EFI_ERROR(efi_locate_device_path(&device_path_guid, &rest, &dev)))
			im->li.DeviceHandle = dev;
		else
			rest = dp;
		im->li.FilePath = efi_devpath_dup(rest);
		im->full_path = efi_devpath_dup(dp);
	}
	st = efi_protocol_install(&im->handle, &loaded_image_guid, &im->li);
	if (!EFI_ERROR(st) && im->full_path)
		st = efi_protocol_install(&im->handle, &loaded_image_dp_guid, im->full_path);
	if (EFI_ERROR(st)) {
		image_free(im);
		goto out_file;
	}
	im->next = images;
	images = im;
	log_debug("efi: loaded %s: %u KiB at %#llx, entry %#llx, %s", im->name,
		  pi.size_of_image >> 10, (unsigned long long)im->base,
		  (unsigned long long)im->entry, pe_subsystem_name(pi.subsystem));
	*out = im->handle;
	st = EFI_SUCCESS;
out_file:
	if (file_buf)
		efi_mem_free_pages((uintptr_t)file_buf, file_pages);
	return st;
}

EFI_STATUS efi_image_start(EFI_HANDLE h, UINTN *exit_size, CHAR16 **exit_data)
{
	struct efi_image *im = image_of(h);
	static void *stack; /* one stack for the outermost image; nested ones share it */

	if (!im || im->started)
		return EFI_INVALID_PARAMETER;
	if (efi_at_runtime())
		return EFI_UNSUPPORTED;
	void *stack_top = NULL;
	bool outer = running == &firmware_image || !running;
	if (outer) {
		if (!stack)
			stack = sysmem_alloc_pages(IMAGE_STACK_PAGES, MEM_BS_DATA, 0);
		if (stack)
			stack_top = (uint8_t *)stack + IMAGE_STACK_PAGES * PAGE_SIZE;
	}
	struct efi_image *prev = running;
	if (outer)
		efi_tick_start();
	im->started = true;
	im->running = true;
	running = im;
	log_debug("efi: starting %s", im->name);
	uint64_t flags = read_rflags();
	if (__builtin_setjmp(im->jmp) == 0)
		im->exit_status = (EFI_STATUS)efi_call_entry((void *)(uintptr_t)im->entry,
							     im->handle, efi_systab(), stack_top);
	/* Back here by a return from the entry point or by Exit(), which
	 * skips efi_call_entry's restoring of the interrupt flag. */
	if (!(flags & RFLAGS_IF))
		irq_disable();
	if (outer)
		efi_tick_stop();
	running = prev;
	im->running = false;
	EFI_STATUS st = im->exit_status;
	if (exit_size)
		*exit_size = im->exit_data_size;
	if (exit_data)
		*exit_data = im->exit_data;
	else if (im->exit_data)
		sysmem_free(im->exit_data);
	im->exit_data = NULL;
	/* An application is unloaded when it returns; a driver that failed
	 * too (UEFI 2.10 s.7.4.2). A driver that succeeded stays resident. */
	if (im->li.ImageCodeType == EfiLoaderCode || EFI_ERROR(st))
		image_free(im);
	return st;
}

EFI_STATUS efi_image_exit(EFI_HANDLE h, EFI_STATUS status, UINTN size, CHAR16 *data)
{
	struct efi_image *im = image_of(h);

	if (!im || im == &firmware_image)
		return EFI_INVALID_PARAMETER;
	if (!im->started) {
		image_free(im);
		return EFI_SUCCESS;
	}
	if (im != running)
		return EFI_INVALID_PARAMETER; /* only the image running may exit */
	im->exit_status = status;
	im->exit_data_size = 0;
	im->exit_data = NULL;
	if (size && data) {
		/* ExitData must be pool memory the caller of StartImage frees. */
		im->exit_data = sysmem_zalloc(size);
		if (im->exit_data) {
			memcpy(im->exit_data, data, size);
			im->exit_data_size = size;
		}
	}
	__builtin_longjmp(im->jmp, 1);
}

EFI_STATUS efi_image_unload(EFI_HANDLE h)
{
	struct efi_image *im = image_of(h);

	if (!im || im == &firmware_image || im->running)
		return EFI_INVALID_PARAMETER;
	if (im->started) {
		if (!im->li.Unload)
			return EFI_UNSUPPORTED;
		EFI_STATUS st = im->li.Unload(h);
		if (EFI_ERROR(st))
			return st;
	}
	image_free(im);
	return EFI_SUCCESS;
}

bool efi_image_describe(uint64_t addr, char *buf, size_t cap)
{
	for (struct efi_image *im = images; im; im = im->next) {
		uint64_t base = (uintptr_t)im->li.ImageBase;
		if (im->magic == IMAGE_MAGIC && addr >= base && addr - base < im->li.ImageSize) {
			format_buf(buf, cap, "%s+%#llx", im->name, (unsigned long long)(addr - base));
			return true;
		}
	}
	return false;
}

void efi_image_recover(void)
{
	struct efi_image *im = running;

	if (!im || im == &firmware_image || efi_at_runtime())
		return;
	log_error("efi: %s crashed (the dump above); its StartImage returns EFI_ABORTED",
		  im->name);
	im->exit_status = EFI_ABORTED;
	im->exit_data_size = 0;
	im->exit_data = NULL;
	__builtin_longjmp(im->jmp, 1);
}

EFI_LOADED_IMAGE_PROTOCOL *efi_image_loaded(EFI_HANDLE h)
{
	struct efi_image *im = image_of(h);
	return im ? &im->li : NULL;
}

const char *efi_image_name(EFI_HANDLE h)
{
	struct efi_image *im = image_of(h);
	return im ? im->name : "(unknown image)";
}

/* A name for messages from a valid device path: the last file path or
 * URI node, as ASCII ('?' for anything else). */
static void path_name(const EFI_DEVICE_PATH *dp, char *out, size_t cap)
{
	const uint8_t *p = (const uint8_t *)dp;

	for (; !efi_dp_is_end((const EFI_DEVICE_PATH *)p);
	     p += efi_dp_node_len((const EFI_DEVICE_PATH *)p)) {
		const EFI_DEVICE_PATH *n = (const EFI_DEVICE_PATH *)p;
		size_t len = efi_dp_node_len(n), o = 0;
		bool file = efi_dp_type(n) == MEDIA_DEVICE_PATH && efi_dp_subtype(n) == MEDIA_FILEPATH_DP;
		bool uri = efi_dp_type(n) == MESSAGING_DEVICE_PATH && efi_dp_subtype(n) == 24;
		if (!file && !uri)
			continue;
		for (size_t i = 4; i < len && o + 1 < cap; i += file ? 2 : 1) {
			unsigned c = file && i + 1 < len ? (unsigned)(p[i] | p[i + 1] << 8) : p[i];
			if (!c)
				break;
			out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
		}
		out[o] = '\0';
	}
}

/* ---- EFIAPI entry points ---- */

static EFI_STATUS EFIAPI bs_load_image(BOOLEAN boot_policy, EFI_HANDLE parent, EFI_DEVICE_PATH *dp,
				       VOID *src, UINTN len, EFI_HANDLE *out)
{
	char name[96];

	/* No file name on the path: say who loaded it (systemd-stub loads
	 * the kernel from its own .linux section this way). */
	format_buf(name, sizeof(name), "image from %s", efi_image_name(parent));
	if (dp && efi_devpath_valid(dp, EFI_DEVPATH_LIMIT))
		path_name(dp, name, sizeof(name));
	if (src && !len)
		return EFI_LOAD_ERROR;
	return efi_image_load(parent, dp, src, len, name, out);
}

static EFI_STATUS EFIAPI bs_start_image(EFI_HANDLE h, UINTN *exit_size, CHAR16 **exit_data)
{
	return efi_image_start(h, exit_size, exit_data);
}

static EFI_STATUS EFIAPI bs_exit(EFI_HANDLE h, EFI_STATUS status, UINTN size, CHAR16 *data)
{
	return efi_image_exit(h, status, size, data);
}

static EFI_STATUS EFIAPI bs_unload_image(EFI_HANDLE h)
{
	return efi_image_unload(h);
}

void efi_image_fill_boot_services(EFI_BOOT_SERVICES *bs)
{
	bs->LoadImage = bs_load_image;
	bs->StartImage = bs_start_image;
	bs->Exit = bs_exit;
	bs->UnloadImage = bs_unload_image;
	bs->ExitBootServices = efi_exit_boot_services;
}
