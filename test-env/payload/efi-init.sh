#!/bin/busybox sh
# /init of the UEFI tests' initramfs (mkuki.sh): the demo marker, then what
# the kernel learnt from the firmware: /sys/firmware/efi, the variables
# efivarfs lists (each read is a runtime GetVariable after
# SetVirtualAddressMap), and a runtime SetVariable round trip. Powers off
# when the command line has wb.poweroff, else runs a shell.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
echo "WIREBOOT-DEMO: initramfs up; cmdline: $(cat /proc/cmdline)"
efi=/sys/firmware/efi
vars=$efi/efivars
# A probe variable under LINUX_EFI_CRASH_GUID: the only vendor GUID whose
# variables of any name efivarfs lets us remove again (others it creates
# immutable, and busybox has no chattr).
probe=WirebootProbe-cfc8fc79-be2e-4ddc-97f0-9f98bfe298a0
if [ -d $efi ]; then
	echo "WIREBOOT-EFI: $efi present; fw_platform_size $(cat $efi/fw_platform_size 2>/dev/null)"
	insmod /lib/modules/efivarfs.ko 2>/dev/null
	if mount -t efivarfs efivarfs $vars; then
		n=0
		for f in $vars/*; do
			[ -e "$f" ] || continue
			n=$((n + 1))
			echo "WIREBOOT-EFI: efivar ${f##*/} $(wc -c <"$f") bytes"
		done
		echo "WIREBOOT-EFI: efivars lists $n variables"
		# Attributes NV|BS|RT (0x7, little-endian) then the data, in one write.
		printf '\007\000\000\000wireboot' >/tmp/probe
		if dd if=/tmp/probe of=$vars/$probe bs=64 2>/dev/null &&
			[ "$(tail -c +5 $vars/$probe 2>/dev/null)" = wireboot ]; then
			echo "WIREBOOT-EFI: runtime SetVariable and GetVariable ok"
		else
			echo "WIREBOOT-EFI: runtime SetVariable failed"
		fi
		if rm -f $vars/$probe && [ ! -e $vars/$probe ]; then
			echo "WIREBOOT-EFI: runtime delete ok"
		else
			echo "WIREBOOT-EFI: runtime delete failed"
		fi
	else
		echo "WIREBOOT-EFI: efivarfs mount failed"
	fi
else
	echo "WIREBOOT-EFI: $efi absent"
fi
case " $(cat /proc/cmdline) " in
*" wb.poweroff "*) echo "WIREBOOT-DEMO: powering off"; poweroff -f ;;
esac
echo "WIREBOOT-DEMO: a busybox shell on the serial console; 'poweroff -f' ends the VM"
exec setsid cttyhack sh
