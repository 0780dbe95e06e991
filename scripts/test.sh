#!/usr/bin/env bash
# make test: the host unit tests given as arguments (cmocka, TAP output),
# then the QEMU integration tests (pytest), then one summary line.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
passed=0 failed=0 skipped=0

echo "== host unit tests"
for t in "$@"; do
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1)
	rc=$?
	# cmocka's TAP marks a skipped test "not ok N # SKIP".
	p=$(grep '^ok ' <<<"$out" | grep -vc '# SKIP')
	s=$(grep -Ec '^(not )?ok .*# SKIP' <<<"$out")
	f=$(grep '^not ok ' <<<"$out" | grep -vc '# SKIP')
	# A crash or sanitizer report with no failing test line is still a failure.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ "$f" -ne 0 ]; then echo "$out"; fi
	printf '%-28s %3d passed, %d failed, %d skipped\n' "$(basename "$t")" "$p" "$f" "$s"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done

if [ "${WB_UNIT_ONLY:-0}" = 1 ]; then
	echo "summary: $passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
fi

echo "== QEMU integration tests"
junit="$top/build/pytest.xml"
rm -f "$junit"
/usr/bin/python3 -m pytest test-env -q -rfE -p no:cacheprovider --junitxml="$junit"
rc=$?
if [ -f "$junit" ]; then
	read -r tp tf ts < <(/usr/bin/python3 - "$junit" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
t = sum(int(s.get("tests", 0)) for s in suites)
f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
s = sum(int(s.get("skipped", 0)) for s in suites)
print(t - f - s, f, s)
PY
)
	passed=$((passed + tp)) failed=$((failed + tf)) skipped=$((skipped + ts))
fi
# pytest ran nothing or died before writing results: count it as a failure.
if [ "$rc" -ne 0 ] && { [ ! -f "$junit" ] || [ "${tf:-0}" -eq 0 ]; }; then failed=$((failed + 1)); fi

echo "summary: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
