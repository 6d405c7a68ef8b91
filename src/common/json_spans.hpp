// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_COMMON_JSON_SPANS_HPP
#define COHORT_SRC_COMMON_JSON_SPANS_HPP

// Private to the library: where the values of a JSON text are, byte for byte, so that a writer
// can change one value and keep every other byte (line endings, spacing, number spellings).
// The text must already be valid JSON (`parse_json` accepted it): nothing here checks syntax.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cohort::detail {

/// The bytes `[begin, end)` of one value in the text.
struct json_span {
  std::size_t begin = 0;
  std::size_t end = 0;
};

/// One member of an object: its key (unescaped) and where the key and the value are.
struct json_member {
  std::string key;
  json_span key_span;  ///< the key with its quotes
  json_span value;
};

/// The value that starts at `pos` or after the whitespace there.
json_span json_value_at(std::string_view text, std::size_t pos);

/// The members of the object at `object`, in the order of the text (duplicates included).
std::vector<json_member> json_members(std::string_view text, json_span object);

/// The elements of the array at `array`, in order.
std::vector<json_span> json_elements(std::string_view text, json_span array);

} // namespace cohort::detail

#endif // COHORT_SRC_COMMON_JSON_SPANS_HPP
