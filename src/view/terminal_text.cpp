// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/view/terminal_text.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <iterator>

namespace cohort {
namespace {

// The length of the valid UTF-8 sequence at the start of `s` and its code point; 0 if invalid.
std::size_t utf8_sequence(std::string_view s, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  std::size_t n = 0;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  if (b0 >= 0xc2 && b0 <= 0xdf) n = 2, cp = b0 & 0x1f;
  else if (b0 >= 0xe0 && b0 <= 0xef) n = 3, cp = b0 & 0x0f;
  else if (b0 >= 0xf0 && b0 <= 0xf4) n = 4, cp = b0 & 0x07;
  else return 0;
  if (s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  const bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  const bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
  if (overlong || surrogate || cp > 0x10ffff) return 0;
  return n;
}

bool hidden_format(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

} // namespace

std::string terminal_safe(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  auto put = std::back_inserter(out);
  while (!text.empty()) {
    // Printable ASCII, most of any text, goes as it is, a run at a time.
    std::size_t plain = 0;
    while (plain < text.size() && static_cast<unsigned char>(text[plain]) - 0x20U < 0x5FU) ++plain;
    out.append(text.substr(0, plain));
    text.remove_prefix(plain);
    if (text.empty()) break;
    char32_t cp = 0;
    const std::size_t n = utf8_sequence(text, cp);
    if (n == 0) {
      fmt::format_to(put, "\\x{:02X}", static_cast<unsigned char>(text[0]));
      text.remove_prefix(1);
      continue;
    }
    if (cp == 0x1b) out += "\\e";
    else if (cp == '\n') out += keep_newlines ? '\n' : ' ';
    else if (cp == '\t') out += ' ';
    else if (cp < 0x20 || cp == 0x7f) fmt::format_to(put, "\\x{:02X}", static_cast<unsigned>(cp));
    else if (hidden_format(cp)) fmt::format_to(put, "\\u{:04X}", static_cast<std::uint32_t>(cp));
    else out.append(text.substr(0, n));
    text.remove_prefix(n);
  }
  return out;
}

} // namespace cohort
