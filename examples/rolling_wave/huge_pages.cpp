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
// The library leaves the allocator to its application: this is the driver's choice, like the
// mmap threshold `main` sets (which puts each such block in a mapping of its own, so that the
// advice never reaches memory the block does not own, and the mapping goes when it is freed).
// Sanitizer builds keep their own allocation functions.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)

#include <sys/mman.h>

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

} // namespace

// The other forms of new (arrays, nothrow) come here through the standard library's defaults;
// the aligned ones keep theirs. Each delete frees with free(), as the defaults do. Out of
// memory, the new-handler is called until it gives up, as the standard asks of every new.
void* operator new(std::size_t n) {
  for (;;) {
    if (void* p = std::malloc(n != 0 ? n : 1)) {
      if (n >= advised_from) advise_huge_pages(p, n);
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
