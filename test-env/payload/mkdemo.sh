#!/usr/bin/env bash
# Build the demo network-boot tree: Debian's kernel, a busybox-static
# initramfs, and a pxelinux.cfg/default that boots them.
#
#   mkdemo.sh OUTDIR [PAD_MIB]
#
# The initramfs's /init prints
#   WIREBOOT-DEMO: initramfs up; cmdline: <the kernel command line>
# then powers off when the command line has wb.poweroff, else runs a shell
# on the serial console. PAD_MIB adds an incompressible file of that size
# (for transfer benchmarks) as a second initrd, initrd-pad.img.
set -euo pipefail
out=$1
pad=${2:-0}
kernel=$(ls -1 /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1)
[ -n "$kernel" ] || { echo "mkdemo: no /boot/vmlinuz-*-amd64 (install linux-image-amd64)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "mkdemo: no /bin/busybox (install busybox-static)" >&2; exit 1; }

mkdir -p "$out/pxelinux.cfg"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/root/bin" "$tmp/root/proc" "$tmp/root/sys" "$tmp/root/dev"
cp /bin/busybox "$tmp/root/bin/busybox"
cat >"$tmp/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
echo "WIREBOOT-DEMO: initramfs up; cmdline: $(cat /proc/cmdline)"
for f in /pad/*; do [ -f "$f" ] && echo "WIREBOOT-DEMO: extra initrd file $(basename "$f") $(wc -c < "$f") bytes"; done
case " $(cat /proc/cmdline) " in
*" wb.poweroff "*) echo "WIREBOOT-DEMO: powering off"; poweroff -f ;;
esac
echo "WIREBOOT-DEMO: a busybox shell on the serial console; 'poweroff -f' ends the VM"
exec setsid cttyhack sh
INIT
chmod 755 "$tmp/root/init"
(cd "$tmp/root" && find . | cpio -o -H newc --quiet) >"$out/initrd.img"
cp "$kernel" "$out/vmlinuz"
chmod 644 "$out/vmlinuz" "$out/initrd.img"
if [ "$pad" -gt 0 ]; then
	mkdir -p "$tmp/pad/pad"
	head -c "$((pad << 20))" /dev/urandom >"$tmp/pad/pad/data"
	(cd "$tmp/pad" && find . | cpio -o -H newc --quiet) >"$out/initrd-pad.img"
	chmod 644 "$out/initrd-pad.img"
fi
cat >"$out/pxelinux.cfg/default" <<'CFG'
# wireboot demo: a pxelinux.cfg as provisioning tools write them.
DEFAULT linux
TIMEOUT 30
LABEL linux
  MENU LABEL Debian kernel + busybox initramfs
  KERNEL vmlinuz
  INITRD initrd.img
  APPEND console=ttyS0 quiet panic=-1
CFG
echo "mkdemo: $out: $(basename "$kernel"), initrd $(stat -c %s "$out/initrd.img") bytes"
