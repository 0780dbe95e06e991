#!/usr/bin/env bash
# Install what wireboot's build, tests and benchmarks need, from Debian's
# packages only, and fetch lwIP as Debian's source package.
# Idempotent: installs only missing packages; re-fetches lwIP only if absent.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

# Build: the firmware and the host unit tests / fuzz targets.
BUILD_PKGS="gcc binutils make nasm gnu-efi libcmocka-dev clang libclang-rt-14-dev xz-utils"
# Integration tests: QEMU, servers run in network namespaces, payloads, real EFI clients.
# dnsmasq-base is the binary without the system DNS service the dnsmasq package enables.
TEST_PKGS="qemu-system-x86 qemu-utils iproute2 iputils-ping python3 python3-pytest dnsmasq-base tftpd-hpa
  libpcre2-8-0 libwrap0 nginx-light linux-image-amd64 busybox-static cpio grub-efi-amd64-bin shim-unsigned systemd-boot-efi ipxe
  mtools dosfstools gdisk kea-dhcp4-server nftables"
# Benchmark anchors: the firmwares we compare against.
BENCH_PKGS="seabios ipxe-qemu ovmf u-boot-qemu"

# lwIP 2.1.3 as packaged by Debian 12; the orig tarball is checked before use.
LWIP_SRC_VERSION="2.1.3+dfsg1-2"
LWIP_ORIG="lwip_2.1.3+dfsg1.orig.tar.xz"
LWIP_SHA256="0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24"
LWIP_DIR="$top/third_party/lwip-2.1.3"

# atftpd (RFC 7440 windowsize) conflicts with tftpd-hpa as a package, so its
# Debian binary is unpacked beside the tree instead of installed.
ATFTPD_DIR="$top/third_party/atftpd"

log() { echo "deps: $*"; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			echo "$p"
	done
}

updated=0
apt_update_once() {
	[ "$updated" -eq 1 ] && return 0
	as_root apt-get update -qq
	updated=1
}

install_pkgs() {
	local missing
	# shellcheck disable=SC2086
	missing=$(missing_pkgs $BUILD_PKGS $TEST_PKGS $BENCH_PKGS)
	[ -z "$missing" ] && return 0
	log "installing:" $missing
	apt_update_once
	# Installing servers must not start them on the host: tests run their own
	# copies inside network namespaces. A temporary policy-rc.d says so.
	local policy=/usr/sbin/policy-rc.d made_policy=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
		as_root chmod 755 "$policy"
		made_policy=1
	fi
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
		-o DPkg::Lock::Timeout=600 $missing
	[ "$made_policy" -eq 1 ] && as_root rm -f "$policy"
	return 0
}

# Write a deb-src twin of every deb entry in the machine's own apt sources,
# so no mirror host name lives in this repository.
enable_deb_src() {
	local out=/etc/apt/sources.list.d/wireboot-deb-src.sources
	local tmp
	tmp=$(mktemp)
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		[ "$f" = "$out" ] && continue
		# Keep the entries with a main component (Debian archives, not third-party repos).
		awk 'BEGIN{RS=""; ORS="\n\n"} /Types:[^\n]*deb/ && /Components:[^\n]*main/ {
			sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f" >>"$tmp"
	done
	if [ -f /etc/apt/sources.list ]; then
		awk '$1=="deb" { $1="deb-src"; print "#LIST " $0 }' /etc/apt/sources.list >>"$tmp"
	fi
	if grep -q '^#LIST ' "$tmp"; then
		grep '^#LIST ' "$tmp" | sed 's/^#LIST //' |
			as_root tee /etc/apt/sources.list.d/wireboot-deb-src.list >/dev/null
		sed -i '/^#LIST /d' "$tmp"
	fi
	if [ -s "$tmp" ]; then
		as_root cp "$tmp" "$out"
	fi
	rm -f "$tmp"
}

fetch_lwip() {
	[ -f "$LWIP_DIR/.checked" ] && return 0
	local work
	work=$(mktemp -d)
	if ! (cd "$work" && apt-get source --download-only -qq "lwip=$LWIP_SRC_VERSION" >/dev/null 2>&1); then
		log "enabling deb-src entries derived from this machine's apt sources"
		enable_deb_src
		updated=0
		apt_update_once
		(cd "$work" && apt-get source --download-only -qq "lwip=$LWIP_SRC_VERSION" >/dev/null)
	fi
	local got
	got=$(sha256sum "$work/$LWIP_ORIG" | cut -d' ' -f1)
	if [ "$got" != "$LWIP_SHA256" ]; then
		log "lwIP: $LWIP_ORIG has SHA-256 $got, expected $LWIP_SHA256; refusing to use it"
		rm -rf "$work"
		exit 1
	fi
	rm -rf "$LWIP_DIR"
	mkdir -p "$LWIP_DIR"
	tar -xJf "$work/$LWIP_ORIG" -C "$LWIP_DIR" --strip-components=1
	touch "$LWIP_DIR/.checked"
	rm -rf "$work"
	log "lwIP $LWIP_SRC_VERSION in ${LWIP_DIR#"$top"/} (SHA-256 checked)"
}

fetch_atftpd() {
	[ -x "$ATFTPD_DIR/usr/sbin/atftpd" ] && return 0
	local work
	work=$(mktemp -d)
	(cd "$work" && apt-get download -qq atftpd >/dev/null 2>&1) ||
		{ apt_update_once; (cd "$work" && apt-get download -qq atftpd >/dev/null); }
	mkdir -p "$ATFTPD_DIR"
	dpkg-deb -x "$work"/atftpd_*.deb "$ATFTPD_DIR"
	rm -rf "$work"
	log "atftpd unpacked in ${ATFTPD_DIR#"$top"/}"
}

install_pkgs
fetch_atftpd
fetch_lwip
