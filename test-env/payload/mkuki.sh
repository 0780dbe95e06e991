#!/usr/bin/env bash
# Build a Unified Kernel Image as distributions ship them: systemd's
# EFI stub (Debian's systemd-boot-efi, systemd 252) with Debian's kernel,
# a busybox initramfs, a command line and an os-release as PE sections.
#
#   mkuki.sh OUTDIR [CMDLINE]
#
# Writes OUTDIR/uki.efi, and the parts it is made of: OUTDIR/vmlinuz
# (the kernel, itself an EFI program through its EFI stub) and
# OUTDIR/initrd-efi.img, whose /init (efi-init.sh) prints
#   WIREBOOT-DEMO: initramfs up; cmdline: <the kernel command line>
#   WIREBOOT-EFI: /sys/firmware/efi present ...  (or absent)
#   WIREBOOT-EFI: efivar <name> <n> bytes        (one per variable)
#   WIREBOOT-EFI: efivars lists <n> variables
# and powers off with wb.poweroff on the command line.
# CMDLINE defaults to "console=ttyS0 panic=-1 wb.poweroff wb.uki".
#
# Section placement follows systemd 252's documented objcopy recipe: each
# added section's VMA follows the stub's last section (or the previous
# added one), rounded up to the stub's SectionAlignment.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
cmdline=${2:-console=ttyS0 panic=-1 wb.poweroff wb.uki}
stub=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
kernel=$(ls -1 /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1)
[ -n "$kernel" ] || {
	echo "mkuki: no /boot/vmlinuz-*-amd64 (install linux-image-amd64)" >&2
	exit 1
}
[ -f "$stub" ] || { echo "mkuki: no $stub (install systemd-boot-efi)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "mkuki: no /bin/busybox (install busybox-static)" >&2; exit 1; }
kver=${kernel#/boot/vmlinuz-}
efivarfs=/lib/modules/$kver/kernel/fs/efivarfs/efivarfs.ko

mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The initramfs: busybox, efi-init.sh as /init, efivarfs.ko (a module in
# Debian's kernel) when the kernel has it.
mkdir -p "$tmp/root/bin" "$tmp/root/proc" "$tmp/root/sys" "$tmp/root/dev" "$tmp/root/tmp" \
	"$tmp/root/lib/modules"
cp /bin/busybox "$tmp/root/bin/busybox"
cp "$here/efi-init.sh" "$tmp/root/init"
chmod 755 "$tmp/root/init"
if [ -f "$efivarfs" ]; then
	cp "$efivarfs" "$tmp/root/lib/modules/efivarfs.ko"
elif [ -f "$efivarfs.xz" ]; then
	xz -dc "$efivarfs.xz" >"$tmp/root/lib/modules/efivarfs.ko"
else
	echo "mkuki: warning: no efivarfs module for $kver; only a built-in efivarfs will mount" >&2
fi
(cd "$tmp/root" && find . | cpio -o -H newc --quiet) >"$out/initrd-efi.img"
cp "$kernel" "$out/vmlinuz"
chmod 644 "$out/vmlinuz" "$out/initrd-efi.img"

printf '%s' "$cmdline" >"$tmp/cmdline"
cat >"$tmp/os-release" <<OSREL
NAME="wireboot UKI test"
ID=wireboot-uki-test
VERSION_ID=$kver
PRETTY_NAME="wireboot UKI test (Debian kernel $kver + busybox)"
OSREL

align=$((16#$(objdump -p "$stub" | awk '$1 == "SectionAlignment" { print $2 }')))
# End of the stub's last section: VMA + size of the last row objdump -h lists.
last=$(objdump -h "$stub" | awk 'NF == 7 && $1 ~ /^[0-9]+$/ { s = $3; v = $4 } END { print s, v }')
end=$((16#${last#* } + 16#${last% *}))
args=()
# place NAME FILE: the next VMA, aligned, for section NAME holding FILE.
place() {
	end=$(((end + align - 1) / align * align))
	args+=(--add-section "$1=$2" --change-section-vma "$1=$(printf 0x%x "$end")")
	end=$((end + $(stat -Lc %s "$2")))
}
place .osrel "$tmp/os-release"
place .cmdline "$tmp/cmdline"
place .linux "$out/vmlinuz"
place .initrd "$out/initrd-efi.img"
objcopy "${args[@]}" "$stub" "$out/uki.efi"
chmod 644 "$out/uki.efi"
echo "mkuki: $out/uki.efi: $(basename "$stub") + $(basename "$kernel")" \
	"+ initrd $(stat -c %s "$out/initrd-efi.img") bytes; cmdline '$cmdline'"
