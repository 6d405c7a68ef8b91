// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// The driver's allocation function: a large block is advised to the kernel as huge-page memory.
//
// A big plan fills large arrays page by page (a million tasks: 200 MB of tasks, then the
// analysis' arrays of 4 to 20 MB each), and every first touch of a 4 KiB page is a page fault:
// on a virtual machine a dear one (`rolling-wave plan` on a million tasks spent a fifth of its
// time in the fault handler). A block of 4 MiB or more is marked MADV_HUGEPAGE, so that where
// the system's transparent huge page policy allows it (`madvise`, Debian's default, or `always`)
// its 2 MiB-aligned part faults in 2 MiB at a time: 5.9-6.8 s -> 3.4-3.9 s for that plan, the
// same peak RSS (a huge page comes only where a block is touched). Where the policy is `never`
// the advice does nothing. Smaller blocks, and freeing, are glibc's malloc and free as before.
//
// The small blocks (a million tasks' strings and lists: about 200 MB) come from glibc's heap,
// which grows by `brk` in steps of about 128 KiB, each new memory to fault in. Once the heap has
// grown by 16 MiB since the first allocation seen here (a big plan: 10,000 tasks grow it by
// 2.4 MiB), the heap grows in larger steps and each step's whole aligned huge pages are advised
// before they are touched, as glibc's own `glibc.malloc.hugetlb=1` tunable would do (a program
// cannot set a tunable for itself once started). A million tasks: 60,000 -> 22,500 page faults,
// 13 % less time (median of 8 alternating pairs), peak RSS 434 -> 439 MB.
//
// The library leaves the allocator to its application: this is the driver's choice, like the
// mmap threshold `main` sets (blocks under 32 MiB from the heap, larger ones mapped on their own).
// Only the whole huge pages inside a block are advised, so the advice never reaches memory the
// block does not own.
// Sanitizer builds keep their own allocation functions.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace {

constexpr std::size_t huge_page = std::size_t{2} << 20;
constexpr std::size_t advised_from = 2 * huge_page;  // holds at least one whole aligned huge page

// Marks the whole 2 MiB-aligned pages inside [p, p + n) (a failure is only a lost hint).
void advise_huge_pages(void* p, std::size_t n) noexcept {
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t first = (begin + huge_page - 1) & ~(std::uintptr_t{huge_page} - 1);
  const std::uintptr_t last = (begin + n) & ~(std::uintptr_t{huge_page} - 1);
  if (last > first) (void)::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

constexpr std::uintptr_t heap_advised_from = 16u << 20;  // heap growth before any of it is advised
constexpr int heap_step = 32 << 20;                        // then the heap grows by this much at a time

// The heap's top when first seen and when last seen, and whether it has grown big. Relaxed
// atomics: the driver allocates on one thread, and two racing calls would only advise twice.
std::atomic<std::uintptr_t> heap_first{0};
std::atomic<std::uintptr_t> heap_seen{0};
std::atomic<bool> heap_big{false};

// Advises the whole aligned huge pages the heap has grown into since it was last looked at. Called
// after an allocation, before its caller writes to it: of the new part, malloc has only written
// its chunk headers at the start, so the pages beyond are untouched and can fault in whole. Once
// the heap is big, it grows 32 MiB at a time (M_TOP_PAD), so that little of each step is lost to
// the huge page it starts in. `sbrk(0)` reads glibc's cached break: no system call.
void advise_heap() noexcept {
  const auto top = reinterpret_cast<std::uintptr_t>(::sbrk(0));
  if (top == static_cast<std::uintptr_t>(-1)) return;
  const std::uintptr_t seen = heap_seen.load(std::memory_order_relaxed);
  if (top == seen) return;  // most allocations: the heap did not move
  heap_seen.store(top, std::memory_order_relaxed);
  if (seen == 0) heap_first.store(top, std::memory_order_relaxed);
  if (seen == 0 || top < seen) return;  // the first look, or a trim
  if (!heap_big.load(std::memory_order_relaxed)) {
    if (top - heap_first.load(std::memory_order_relaxed) < heap_advised_from) return;
    heap_big.store(true, std::memory_order_relaxed);
    (void)::mallopt(M_TOP_PAD, heap_step);
  }
  advise_huge_pages(reinterpret_cast<void*>(seen), top - seen);
}

} // namespace

// The other forms of new (arrays, nothrow) come here through the standard library's defaults;
// the aligned ones keep theirs. Each delete frees with free(), as the defaults do. Out of
// memory, the new-handler is called until it gives up, as the standard asks of every new.
void* operator new(std::size_t n) {
  for (;;) {
    if (void* p = std::malloc(n != 0 ? n : 1)) {
      if (n >= advised_from) advise_huge_pages(p, n);
      else advise_heap();
      return p;
    }
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

#endif
