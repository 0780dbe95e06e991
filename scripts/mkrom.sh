#!/usr/bin/env bash
# Build the flat ROM image: [firmware image][0xff padding][reset stub, 4 KiB].
# The image is the ELF's loadable bytes; the stub copies them to the link
# address at reset. The ROM size is a multiple of 64 KiB, ending at 4 GiB.
set -euo pipefail
elf=$1 stub_src=$2 out=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

objcopy -O binary --remove-section=.bss "$elf" "$tmp/image.bin"
size=$(stat -c %s "$tmp/image.bin")
load=$(nm "$elf" | awk '$3 == "__image_start" { print "0x" $1 }')
entry=$(nm "$elf" | awk '$3 == "rom_entry32" { print "0x" $1 }')
stub=4096
rom=$(( (size + stub + 65535) / 65536 * 65536 ))
src=$(( 0x100000000 - rom ))
nasm -f bin -DPAYLOAD_SRC=$src -DPAYLOAD_DWORDS=$(( (size + 3) / 4 )) \
	-DLOAD_ADDR=$load -DENTRY32=$entry -o "$tmp/stub.bin" "$stub_src"
[ "$(stat -c %s "$tmp/stub.bin")" -eq $stub ] || { echo "mkrom: reset stub is not $stub bytes" >&2; exit 1; }
{
	cat "$tmp/image.bin"
	head -c $(( rom - size - stub )) /dev/zero | tr '\0' '\377'
	cat "$tmp/stub.bin"
} >"$tmp/rom"
mv "$tmp/rom" "$out"
echo "mkrom: $out: $rom bytes (image $size bytes at $load, entry $entry)"
