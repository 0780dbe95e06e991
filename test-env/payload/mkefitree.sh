#!/usr/bin/env bash
# Build the TFTP root of the UEFI integration tests (test-env/test_efi.py):
#
#   mkefitree.sh OUTDIR EFI_TEST_DIR
#
#   efitest.efi, efichild.efi   the gnu-efi test programs (from EFI_TEST_DIR)
#   efifault.efi                one that faults on purpose
#   uki.efi                     a UKI (mkuki.sh)
#   vmlinuz.efi                 Debian's kernel, named as the EFI program it
#                               is through its EFI stub (same bytes as vmlinuz)
#   vmlinuz, initrd-efi.img     the UKI's parts
#
# No pxelinux.cfg/: wireboot tries one beside a boot file that did not
# boot, and a failing efitest.efi must not end in a Linux boot. The EFI
# stub tests write their own config (KERNEL vmlinuz.efi, INITRD
# initrd-efi.img) into a copy.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
bins=$2
for f in efitest.efi efichild.efi efifault.efi; do
	[ -f "$bins/$f" ] || { echo "mkefitree: no $bins/$f (make efi-tests)" >&2; exit 1; }
done
rm -rf "$out/pxelinux.cfg"
"$here/mkuki.sh" "$out"
cp "$bins/efitest.efi" "$bins/efichild.efi" "$bins/efifault.efi" "$out/"
cp "$out/vmlinuz" "$out/vmlinuz.efi"
chmod 644 "$out"/*.efi
echo "mkefitree: $out: efitest.efi, efichild.efi, efifault.efi, uki.efi, vmlinuz.efi, initrd-efi.img"
