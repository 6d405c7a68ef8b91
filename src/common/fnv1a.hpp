// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_COMMON_FNV1A_HPP
#define COHORT_SRC_COMMON_FNV1A_HPP

// Private to the library: the 64-bit FNV-1a hash, for fingerprints and names (not for security).

#include <cstdint>
#include <string_view>

namespace cohort::detail {

/// FNV-1a 64 of `text`, continuing from `h` (the offset basis by default).
constexpr std::uint64_t fnv1a(std::string_view text, std::uint64_t h = 14695981039346656037ULL) noexcept {
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

} // namespace cohort::detail

#endif // COHORT_SRC_COMMON_FNV1A_HPP
