#!/bin/sh
# Seeds of fuzz_fat and fuzz_fat_write: small FAT12, FAT16 and FAT32
# volumes made by mkfs.fat and filled by mtools (directories, long and
# short names, files over several clusters), each cut after its last
# non-zero byte (the fuzz device reads zeros past the input).
# Usage: tests/fuzz/mkseeds_fat.sh   (from the repository root)
set -eu
export PATH="$PATH:/usr/sbin:/sbin" MTOOLS_SKIP_CHECK=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=tests/fuzz/corpus
mkdir -p "$out/fuzz_fat" "$out/fuzz_fat_write"
head -c 3000 /dev/zero | tr '\0' 'a' >"$tmp/a"
printf 'hello\n' >"$tmp/h"

# make NAME MKFS-ARGS KIB
make_seed() {
	img="$tmp/$1.img"
	mkfs.fat -C -i 1234abcd $2 "$img" "$3" >/dev/null
	mmd -i "$img" ::/EFI ::/EFI/Boot "::/EFI/Long Directory Name"
	mcopy -i "$img" "$tmp/a" "::/EFI/Boot/grub.cfg"
	mcopy -i "$img" "$tmp/h" "::/EFI/Long Directory Name/A File With A Long Name.txt"
	mcopy -i "$img" "$tmp/h" ::/readme.txt
	python3 - "$img" "$tmp/$1" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
open(sys.argv[2], 'wb').write(d[:len(d.rstrip(b'\0'))])
PY
	cp "$tmp/$1" "$out/fuzz_fat/$1"
	cp "$tmp/$1" "$out/fuzz_fat_write/$1"
}
make_seed fat12 "-F 12 -s 1 -r 32" 128
make_seed fat16 "-F 16 -s 1 -r 64 -f 1" 2200
make_seed fat32 "-F 32 -s 1 -f 1" 33300
