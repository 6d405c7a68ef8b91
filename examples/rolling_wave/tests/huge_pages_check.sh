#!/usr/bin/env bash
# The driver's large blocks are advised as huge pages, and only they (huge_pages.cpp): `rolling-wave
# plan` on 33,000 tasks (the plan's task array alone is over 4 MiB; the subtasks' 1000-byte titles
# grow the heap by about 30 MiB) makes madvise(MADV_HUGEPAGE) calls, each over whole 2 MiB-aligned
# pages, some of them in the heap (between the break's first and highest values), and analyses the
# plan as it would without them; on a plan of four tasks it makes none. Blocks under 32 MiB come
# from the heap (main.cpp's mmap threshold): no anonymous mapping of 1 to 32 MiB is made. The calls
# are read with strace, not timed.
# Usage: huge_pages_check.sh ROLLING_WAVE WORK_DIR
set -euo pipefail
rw=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
command -v strace > /dev/null || { echo "strace is missing (.ci/setup installs it)"; exit 1; }

# 3,000 parents of 10 subtasks, each subtask after its previous sibling, each parent after the
# one before: one chain of 33,000 tasks.
awk 'BEGIN {
  pad = sprintf("%1000s", ""); gsub(/ /, "x", pad)
  printf "{\"master\": {\"tasks\": ["
  for (p = 1; p <= 3000; ++p) {
    printf "%s{\"id\": %d, \"title\": \"p%d\", \"status\": \"pending\", \"dependencies\": [%s], \"subtasks\": [",
      (p > 1 ? "," : ""), p, p, (p > 1 ? p - 1 : "")
    for (s = 1; s <= 10; ++s)
      printf "%s{\"id\": %d, \"title\": \"s%s\", \"status\": \"pending\", \"dependencies\": [%s], \"cohort\": {\"duration\": \"1s\"}}",
        (s > 1 ? "," : ""), s, pad, (s > 1 ? s - 1 : "")
    printf "]}"
  }
  printf "]}}\n"
}' > "$work/big.json"

strace -f -qq -e trace=madvise,brk,mmap -o "$work/big.strace" "$rw" plan "$work/big.json" -j 4 > "$work/big.out" 2>&1 ||
  { echo "rolling-wave plan failed on the large plan:"; tail -5 "$work/big.out"; exit 1; }
grep -q "33000 tasks, 3000 parents" "$work/big.out" || { echo "not the plan read:"; head -3 "$work/big.out"; exit 1; }
# One chain: the critical path is every job, 30,000 of 1 s each, from the first to the last.
grep -q "^Critical path: 1[.]1 -> 1[.]2 -> .* -> 3000[.]10 (500 min)$" "$work/big.out" ||
  { echo "not the critical path of the chain:"; grep "^Critical path" "$work/big.out" | cut -c1-200; exit 1; }

advised=$(grep -c "MADV_HUGEPAGE) = 0" "$work/big.strace" || true)
((advised > 0)) || { echo "no block advised as huge pages:"; head -5 "$work/big.strace"; exit 1; }
# Every advised range starts on a 2 MiB boundary and is whole 2 MiB pages.
bad=$(sed -n 's/.*madvise(\(0x[0-9a-f]*\), \([0-9]*\), MADV_HUGEPAGE).*/\1 \2/p' "$work/big.strace" |
      while read -r at length; do
        (((at % 2097152) != 0 || (length % 2097152) != 0 || length == 0)) && echo "$at $length"
      done || true)
[[ -z $bad ]] || { echo "advised ranges not whole aligned huge pages: $bad"; exit 1; }
# Some of them in the heap: at or above the break's first value, below its highest.
lo=0 hi=0 in_heap=0
while read -r b; do
  if ((lo == 0)); then lo=$((b)); fi
  if ((b > hi)); then hi=$((b)); fi
done < <(sed -n 's/.*brk(.*) *= \(0x[0-9a-f]*\)$/\1/p' "$work/big.strace")
while read -r at; do
  if ((at >= lo && at < hi)); then in_heap=$((in_heap + 1)); fi
done < <(sed -n 's/.*madvise(\(0x[0-9a-f]*\), .*MADV_HUGEPAGE) = 0.*/\1/p' "$work/big.strace")
((in_heap > 0)) || { echo "no part of the heap advised:"; grep -m3 brk "$work/big.strace"; exit 1; }

# The task array (4.8 MB) and the analysis' arrays are the heap's, not mappings of their own
# (a thread's stack is mapped with other flags, the libraries' mappings from their files).
mapped=$(sed -n 's/.*mmap(NULL, \([0-9]*\), PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = .*/\1/p' "$work/big.strace" |
         while read -r length; do ((length >= 1048576 && length < 33554432)) && echo "$length"; done || true)
[[ -z $mapped ]] || { echo "blocks under 32 MiB mapped on their own: $(echo $mapped)"; exit 1; }

printf '{"tasks": [{"id": 1, "title": "a", "dependencies": [], "subtasks": [{"id": 1, "title": "b"}, {"id": 2, "title": "c", "dependencies": [1]}]}, {"id": 2, "title": "d", "dependencies": [1]}]}\n' > "$work/small.json"
strace -f -qq -e trace=madvise -o "$work/small.strace" "$rw" plan "$work/small.json" > "$work/small.out" 2>&1 ||
  { echo "rolling-wave plan failed on the small plan:"; tail -5 "$work/small.out"; exit 1; }
! grep -q "MADV_HUGEPAGE" "$work/small.strace" || { echo "a small plan's blocks were advised:"; cat "$work/small.strace"; exit 1; }
echo "33,000 tasks: madvise(MADV_HUGEPAGE) called $advised time(s) ($in_heap in the heap), each over whole aligned 2 MiB pages; 4 tasks: never"
