// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_COMMON_JSON_STREAM_HPP
#define COHORT_SRC_COMMON_JSON_STREAM_HPP

// Private to the library: a JSON document read in pieces, of which only the elements of chosen
// arrays are built, one at a time. Not installed.

#include "common/json_text.hpp"

#include <boost/json/value.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cohort::detail {

/// Reads a JSON document fed in pieces (strict, as `parse_json`: no comments, valid UTF-8, a
/// leading byte order mark skipped) without holding it: the elements of the arrays `wants`
/// picks are built one at a time and handed to `each`; everything else is checked and dropped.
/**
 * An array is offered to `wants` when only objects lie above it: its path is the keys from the
 * root down to it (`{"tasks"}`, `{"master", "tasks"}`). Each of its elements goes to `each` with
 * that path and its position (0-based) as a value of its own (valid during the call only: its
 * memory is reused for the next one). A member repeated in an object is offered (and its
 * elements handed over) each time; the last one is the one a parser would keep.
 */
class json_element_stream {
public:
  using path = std::vector<std::string>;
  using wants_fn = std::function<bool(const path&)>;
  using each_fn = std::function<void(const path&, std::size_t position, const boost::json::value&)>;

  json_element_stream(wants_fn wants, each_fn each);
  ~json_element_stream();
  json_element_stream(const json_element_stream&) = delete;
  json_element_stream& operator=(const json_element_stream&) = delete;

  /// Takes the next piece of the text. False once the document is known to be bad (`error`).
  bool write(std::string_view piece);
  /// The end of the text. False when the document is bad or incomplete (`error`).
  bool finish();
  /// Where and why the document is bad (line and column counted over every piece).
  const json_error& error() const noexcept;
  /// Whether the document is an object (known once its first byte was read).
  bool root_is_object() const noexcept;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace cohort::detail

#endif // COHORT_SRC_COMMON_JSON_STREAM_HPP
