/* The UEFI handle/protocol database (efi/core/handle.c), UEFI 2.10 s.7.3.
 *
 * Every device (a NIC, a disk, a partition), every loaded image and every
 * driver is an EFI_HANDLE: an object holding (GUID, interface) pairs, in
 * install order. A handle exists while it holds at least one protocol:
 * installing on a NULL handle creates one, uninstalling its last protocol
 * removes it. Handles are opaque; every handle, registration and GUID a
 * caller passes is checked against our own lists (a magic and membership)
 * before anything is read through it.
 *
 * Our own code calls the internal functions below; the EFIAPI entry points
 * (efi_handle_fill_boot_services) check every argument and go into the
 * boot services table. Buffers returned to programs come from the pool
 * (sysmem_zalloc), which FreePool frees.
 *
 * Drivers: ConnectController runs the EFI_DRIVER_BINDING_PROTOCOL
 * instances found in the database (Supported, then Start; highest Version
 * first); DisconnectController asks each agent holding a protocol of the
 * controller BY_DRIVER to let go: through its release hook if it opened
 * with one (our own stacks), else through its Driver Binding's Stop (a
 * program's driver). The same happens when someone uninstalls or
 * reinstalls that protocol or opens it EXCLUSIVE. */
#ifndef WB_EFI_HANDLE_H
#define WB_EFI_HANDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <efi_types.h>

/* Release hook of an open BY_DRIVER (efi_protocol_open_driver): asked to
 * give up (controller, protocol). It must stop using the interface and
 * call efi_protocol_close(controller, protocol, agent, controller), then
 * return EFI_SUCCESS; any error refuses, and the uninstall, reinstall or
 * exclusive open that asked fails with EFI_ACCESS_DENIED (DisconnectController
 * with EFI_DEVICE_ERROR). A hook that returns EFI_SUCCESS but keeps the
 * protocol open counts as a refusal. It may be called from inside any
 * boot service a program calls, so it must not wait for the network. */
typedef EFI_STATUS (*efi_release_fn)(EFI_HANDLE controller, const EFI_GUID *protocol, void *ctx);

/* Install iface under guid on *handle; a NULL *handle gets a new handle,
 * written back. EFI_INVALID_PARAMETER for an unknown handle or a GUID the
 * handle already has; EFI_OUT_OF_RESOURCES. Signals RegisterProtocolNotify
 * events for guid. */
EFI_STATUS efi_protocol_install(EFI_HANDLE *handle, const EFI_GUID *guid, void *iface);

/* Remove (guid, iface) from handle, after asking its BY_DRIVER users to let
 * go. EFI_NOT_FOUND if not installed, EFI_ACCESS_DENIED if a user refused.
 * The handle goes away with its last protocol. */
EFI_STATUS efi_protocol_uninstall(EFI_HANDLE handle, const EFI_GUID *guid, void *iface);

/* Replace old with new_iface (users asked to let go first, then drivers
 * reconnected); notifies as an install does. */
EFI_STATUS efi_protocol_reinstall(EFI_HANDLE handle, const EFI_GUID *guid, void *old,
				  void *new_iface);

/* The interface of guid on handle, or NULL (also for an unknown handle;
 * an installed NULL interface is NULL too: use efi_protocol_has). */
void *efi_protocol_find(EFI_HANDLE handle, const EFI_GUID *guid);
bool efi_protocol_has(EFI_HANDLE handle, const EFI_GUID *guid);

/* The handles holding guid (every handle when guid is NULL), in creation
 * order: up to cap of them are written to out (which may be NULL when cap
 * is 0); returns how many there are in all. */
size_t efi_handles_with(const EFI_GUID *guid, EFI_HANDLE *out, size_t cap);

/* True if h is a live handle of ours. */
bool efi_handle_valid(EFI_HANDLE h);

/* Open guid on controller BY_DRIVER for agent (a live handle, e.g. the
 * firmware's image handle), with a release hook (may be NULL: then only a
 * Driver Binding on agent can make it let go). EFI_ALREADY_STARTED if agent
 * has it open already, EFI_ACCESS_DENIED if another driver has it. */
EFI_STATUS efi_protocol_open_driver(EFI_HANDLE controller, const EFI_GUID *guid, EFI_HANDLE agent,
				    void **iface, efi_release_fn release, void *ctx);

/* CloseProtocol: drop agent's opens of guid on handle with this controller. */
EFI_STATUS efi_protocol_close(EFI_HANDLE handle, const EFI_GUID *guid, EFI_HANDLE agent,
			      EFI_HANDLE controller);

/* Drop every open record made by agent or naming it as controller, without
 * calling anyone: for UnloadImage and an image's Exit (UEFI 2.10 s.7.4.6;
 * EDK2 does the same), so a program that ends with a protocol open (GRUB's
 * SNP, EXCLUSIVE) does not keep it locked. */
void efi_handle_forget_agent(EFI_HANDLE agent);

/* The handle with guid whose device path is the longest prefix of *dp's
 * first instance; *dp is advanced to the remainder. EFI_NOT_FOUND,
 * EFI_INVALID_PARAMETER for a malformed path. */
EFI_STATUS efi_locate_device_path(const EFI_GUID *guid, EFI_DEVICE_PATH **dp, EFI_HANDLE *device);

/* CloseEvent must call this: registrations (RegisterProtocolNotify) made
 * with the event are dropped, so a closed event is never signalled. */
void efi_handle_event_closed(EFI_EVENT event);

/* Fill the protocol-handler, driver-support, open/close and library slots
 * of the boot services table. */
void efi_handle_fill_boot_services(EFI_BOOT_SERVICES *bs);

/* The EFIAPI entry points, UEFI 2.10 s.7.3 signatures. */
EFI_STATUS EFIAPI efi_install_protocol_interface(EFI_HANDLE *Handle, EFI_GUID *Protocol,
						 EFI_INTERFACE_TYPE InterfaceType, VOID *Interface);
EFI_STATUS EFIAPI efi_uninstall_protocol_interface(EFI_HANDLE Handle, EFI_GUID *Protocol,
						   VOID *Interface);
EFI_STATUS EFIAPI efi_reinstall_protocol_interface(EFI_HANDLE Handle, EFI_GUID *Protocol,
						   VOID *OldInterface, VOID *NewInterface);
EFI_STATUS EFIAPI efi_install_multiple_protocol_interfaces(EFI_HANDLE *Handle, ...);
EFI_STATUS EFIAPI efi_uninstall_multiple_protocol_interfaces(EFI_HANDLE Handle, ...);
EFI_STATUS EFIAPI efi_handle_protocol(EFI_HANDLE Handle, EFI_GUID *Protocol, VOID **Interface);
EFI_STATUS EFIAPI efi_open_protocol(EFI_HANDLE Handle, EFI_GUID *Protocol, VOID **Interface,
				    EFI_HANDLE AgentHandle, EFI_HANDLE ControllerHandle,
				    UINT32 Attributes);
EFI_STATUS EFIAPI efi_close_protocol(EFI_HANDLE Handle, EFI_GUID *Protocol, EFI_HANDLE AgentHandle,
				     EFI_HANDLE ControllerHandle);
EFI_STATUS EFIAPI efi_open_protocol_information(EFI_HANDLE Handle, EFI_GUID *Protocol,
						EFI_OPEN_PROTOCOL_INFORMATION_ENTRY **EntryBuffer,
						UINTN *EntryCount);
EFI_STATUS EFIAPI efi_protocols_per_handle(EFI_HANDLE Handle, EFI_GUID ***ProtocolBuffer,
					   UINTN *ProtocolBufferCount);
EFI_STATUS EFIAPI efi_register_protocol_notify(EFI_GUID *Protocol, EFI_EVENT Event,
					       VOID **Registration);
EFI_STATUS EFIAPI efi_locate_handle(EFI_LOCATE_SEARCH_TYPE SearchType, EFI_GUID *Protocol,
				    VOID *SearchKey, UINTN *BufferSize, EFI_HANDLE *Buffer);
EFI_STATUS EFIAPI efi_locate_handle_buffer(EFI_LOCATE_SEARCH_TYPE SearchType, EFI_GUID *Protocol,
					   VOID *SearchKey, UINTN *NoHandles, EFI_HANDLE **Buffer);
EFI_STATUS EFIAPI efi_locate_protocol(EFI_GUID *Protocol, VOID *Registration, VOID **Interface);
EFI_STATUS EFIAPI efi_locate_device_path_api(EFI_GUID *Protocol, EFI_DEVICE_PATH **DevicePath,
					     EFI_HANDLE *Device);
EFI_STATUS EFIAPI efi_connect_controller(EFI_HANDLE ControllerHandle, EFI_HANDLE *DriverImageHandle,
					 EFI_DEVICE_PATH *RemainingDevicePath, BOOLEAN Recursive);
EFI_STATUS EFIAPI efi_disconnect_controller(EFI_HANDLE ControllerHandle,
					    EFI_HANDLE DriverImageHandle, EFI_HANDLE ChildHandle);

#endif
