// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "common/text_width.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace cohort::detail {
namespace {

struct range {
  char32_t first, last;
};

// Unicode's East Asian Wide and Fullwidth blocks and the emoji terminals draw two columns wide
// (EastAsianWidth.txt W/F, coarsened to blocks), sorted.
constexpr std::array<range, 24> wide{{
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},   {0x2648, 0x2653},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x2705, 0x2705},
    {0x2E80, 0x303E},   {0x3041, 0xA4CF},   {0xA960, 0xA97F},   {0xAC00, 0xD7A3},
    {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},
    {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F}, {0x1F680, 0x1FAFF}, {0x20000, 0x3FFFD},
}};

// Characters drawn on the one before them, or not at all: combining marks, zero-width space and
// joiners, variation selectors.
constexpr std::array<range, 9> zero{{
    {0x0300, 0x036F}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x2060, 0x2064},
    {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xE0100, 0xE01EF},
}};

template <std::size_t N>
bool in(const std::array<range, N>& table, char32_t c) {
  const auto it = std::upper_bound(table.begin(), table.end(), c,
                                   [](char32_t v, const range& r) { return v < r.first; });
  return it != table.begin() && c <= std::prev(it)->last;
}

std::size_t columns_of(char32_t c) {
  if (in(zero, c)) return 0;
  return in(wide, c) ? 2 : 1;
}

// The character at the start of `s` and its length in bytes; an invalid sequence is one byte
// (decoded as U+FFFD, one column).
std::pair<char32_t, std::size_t> decode(std::string_view s) {
  const auto b = static_cast<unsigned char>(s[0]);
  const std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || n > s.size()) return {0xFFFD, 1};
  char32_t c = n == 1 ? b : b & (0x7F >> n);
  for (std::size_t i = 1; i < n; ++i) {
    const auto x = static_cast<unsigned char>(s[i]);
    if ((x & 0xC0) != 0x80) return {0xFFFD, 1};
    c = (c << 6) | (x & 0x3F);
  }
  return {c, n};
}

} // namespace

std::size_t display_width(std::string_view text) {
  std::size_t cols = 0;
  while (!text.empty()) {
    const auto [c, n] = decode(text);
    cols += columns_of(c);
    text.remove_prefix(n);
  }
  return cols;
}

std::string fit_columns(std::string_view text, std::size_t columns, std::string_view mark) {
  if (display_width(text) <= columns) return std::string(text);
  if (columns == 0) return {};
  const std::size_t room = columns - 1;  // the mark takes the last column
  std::size_t cols = 0, bytes = 0;
  while (bytes < text.size()) {
    const auto [c, n] = decode(text.substr(bytes));
    const std::size_t w = columns_of(c);
    if (cols + w > room) break;
    cols += w;
    bytes += n;
  }
  return std::string(text.substr(0, bytes)) + std::string(mark);
}

} // namespace cohort::detail
