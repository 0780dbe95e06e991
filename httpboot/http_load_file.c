/* Device paths and LoadFile for EFI programs fetched over HTTP (UEFI 2.10
 * s.24.7.3 and s.13.1), as EDK2's HttpBootDxe gives them: see
 * include/http_boot.h for the two handles. LoadFile answers the first
 * call (no buffer, or one too small) with the file's size after fetching
 * it, keeps it, and copies it on the call with a buffer large enough. */
#include <string.h>
#include <efi_handle.h>
#include <efi_load_file.h>
#include <fetch.h>
#include <http.h>
#include <http_boot.h>
#include <log.h>
#include <net.h>
#include <pxe.h>
#include <snp.h>
#include <sysmem.h>

struct http_lf {
	EFI_LOAD_FILE_INTERFACE lf; /* first: This is the struct */
	EFI_HANDLE handle;
	EFI_DEVICE_PATH *dp;	/* pool, installed on handle */
	char url[HTTP_URL_MAX]; /* its own file, "" for the IPv4 handle */
};

static const EFI_GUID device_path_guid = DEVICE_PATH_PROTOCOL;
static const EFI_GUID load_file_guid = LOAD_FILE_PROTOCOL;

static struct http_lf ip_child, uri_child;
static const struct pxe_dhcp_result *boot_dhcp;
static const struct fetch_ctx *boot_fc;

/* The last file LoadFile fetched, until the call that copies it. */
static struct fetched cached;
static char cached_url[HTTP_URL_MAX];

void http_boot_init(const struct pxe_dhcp_result *dhcp, const struct fetch_ctx *fc)
{
	boot_dhcp = dhcp;
	boot_fc = fc;
}

/* The URL a LoadFile call names: the handle's own for an end node (or no
 * path), a Uri node followed by the end for any other. */
static EFI_STATUS wanted_url(const struct http_lf *h, const EFI_DEVICE_PATH *fp, char *out,
			     size_t cap)
{
	if (!fp || efi_dp_is_end(fp)) {
		if (!h->url[0])
			return EFI_NOT_FOUND;
		memcpy(out, h->url, strlen(h->url) + 1);
		return EFI_SUCCESS;
	}
	size_t size = efi_devpath_size(fp, EFI_DEVPATH_LIMIT);
	if (!size)
		return EFI_INVALID_PARAMETER;
	size_t len = efi_dp_node_len(fp);
	if (efi_dp_type(fp) != MESSAGING_DEVICE_PATH || efi_dp_subtype(fp) != MSG_URI_DP ||
	    !efi_dp_is_end((const EFI_DEVICE_PATH *)((const uint8_t *)fp + len)))
		return EFI_NOT_FOUND;
	if (http_boot_uri_text(fp, len, out, cap))
		return EFI_INVALID_PARAMETER;
	struct fetch_url u;
	const char *why;
	if (fetch_url_parse(out, &u, &why) != 1 || strcmp(u.scheme, "http"))
		return EFI_UNSUPPORTED; /* https and the rest: not ours */
	return EFI_SUCCESS;
}

/* EFI_LOAD_FILE_PROTOCOL.LoadFile: BootPolicy does not matter, a URL
 * names one file either way. */
static EFI_STATUS EFIAPI http_lf_load(EFI_LOAD_FILE_PROTOCOL *This, EFI_DEVICE_PATH *FilePath,
				      BOOLEAN BootPolicy, UINTN *BufferSize, VOID *Buffer)
{
	struct http_lf *h = (struct http_lf *)This;
	char url[HTTP_URL_MAX];

	(void)BootPolicy;
	if ((h != &ip_child && h != &uri_child) || !h->handle || !BufferSize)
		return EFI_INVALID_PARAMETER;
	EFI_STATUS st = wanted_url(h, FilePath, url, sizeof(url));
	if (EFI_ERROR(st))
		return st;
	if (cached_url[0] && strcmp(cached_url, url)) {
		fetched_free(&cached);
		cached_url[0] = '\0';
	}
	if (!cached_url[0]) {
		if (!net_hold(boot_dhcp->ni)) {
			log_warn("http: LoadFile %s: the NIC is held by an EFI program", url);
			return EFI_DEVICE_ERROR;
		}
		if (fetch_file(boot_fc, url, &cached)) {
			fetch_report(&cached, "LoadFile fails");
			return efi_fetch_status(cached.err);
		}
		memcpy(cached_url, url, strlen(url) + 1);
	}
	st = efi_load_file_copy(&cached, BufferSize, Buffer);
	if (st == EFI_SUCCESS)
		cached_url[0] = '\0';
	return st;
}

/* Give h the path dp (pool, now h's): installed with LoadFile on a new
 * handle the first time, reinstalled after. 0 or -1. */
static int child_set_path(struct http_lf *h, EFI_DEVICE_PATH *dp)
{
	if (!h->handle) {
		EFI_HANDLE nh = NULL;
		h->lf.LoadFile = http_lf_load;
		if (EFI_ERROR(efi_protocol_install(&nh, &device_path_guid, dp)))
			goto fail;
		if (EFI_ERROR(efi_protocol_install(&nh, &load_file_guid, &h->lf))) {
			efi_protocol_uninstall(nh, &device_path_guid, dp);
			goto fail;
		}
		h->handle = nh;
		h->dp = dp;
		return 0;
	}
	if (EFI_ERROR(efi_protocol_reinstall(h->handle, &device_path_guid, h->dp, dp)))
		goto fail;
	sysmem_free(h->dp);
	h->dp = dp;
	return 0;
fail:
	sysmem_free(dp);
	return -1;
}

EFI_DEVICE_PATH *http_boot_image_path(const char *url)
{
	struct fetch_url u;
	const char *why;
	size_t n = strlen(url);

	if (!boot_dhcp || !boot_dhcp->ni || fetch_url_parse(url, &u, &why) != 1 ||
	    strcmp(u.scheme, "http") || n >= sizeof(uri_child.url))
		return NULL;
	EFI_DEVICE_PATH *nic = snp_device_path(boot_dhcp->ni->snp_index);
	if (!nic)
		return NULL;
	const struct dhcp_lease *l = &boot_dhcp->lease;
	struct efi_dp_ipv4 ip;
	http_boot_ipv4_node(&ip, l->addr, l->router, l->mask, u.port ? u.port : HTTP_PORT);
	size_t ndns = 0;
	while (ndns < sizeof(l->dns) / sizeof(l->dns[0]) && l->dns[ndns])
		ndns++;
	EFI_DEVICE_PATH *ip_path = http_boot_path(nic, &ip, l->dns, ndns, NULL);
	EFI_DEVICE_PATH *uri_path = http_boot_path(nic, &ip, l->dns, ndns, url);
	if (!ip_path || !uri_path) {
		if (ip_path)
			sysmem_free(ip_path);
		if (uri_path)
			sysmem_free(uri_path);
		return NULL;
	}
	if (child_set_path(&ip_child, ip_path)) {
		sysmem_free(uri_path);
		return NULL;
	}
	memcpy(uri_child.url, url, n + 1);
	if (child_set_path(&uri_child, uri_path))
		return NULL;
	return uri_child.dp;
}
