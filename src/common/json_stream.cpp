// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "common/json_stream.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value_stack.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cohort::detail {
namespace json = boost::json;

namespace {

// The parser's events: the chosen arrays' elements go through a value stack, one at a time;
// the rest only moves the position in the document.
struct element_handler {
  static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();

  struct level {
    bool object = false;
    bool on_path = false;   // only objects above it (and it is one): its keys extend the path
    bool chosen = false;    // an array whose elements are handed over
    std::size_t position = 0;
  };

  element_handler(json_element_stream::wants_fn w, json_element_stream::each_fn e)
      : wants(std::move(w)), each(std::move(e)), first_block(new unsigned char[block_size]),
        arena(first_block.get(), block_size) {}

  json_element_stream::wants_fn wants;
  json_element_stream::each_fn each;
  // One element's values, released after it. Over a buffer of its own: release() of a
  // monotonic_resource made without one leaves it unable to allocate (Boost 1.81).
  static constexpr std::size_t block_size = 64 * 1024;
  std::unique_ptr<unsigned char[]> first_block;
  json::monotonic_resource arena;
  json::value_stack stack;         // its own working memory is kept from one element to the next
  std::vector<level> levels;
  json_element_stream::path keys;  // of the objects on the path, down to the current one
  std::string key;                 // the current member's key, outside an element
  bool root_object = false;
  bool capturing = false;
  std::size_t capture_level = 0;  // levels.size() when the element began

  // A value begins: inside a chosen array, it is an element to build.
  void begin_value() {
    if (capturing || levels.empty() || !levels.back().chosen) return;
    stack.reset(json::storage_ptr(&arena));
    capturing = true;
    capture_level = levels.size();
  }
  // A value ended: if it was an element, hand it over.
  void end_value() {
    if (!capturing || levels.size() != capture_level) return;
    capturing = false;
    auto& array = levels.back();
    {
      const json::value v = stack.release();
      each(keys, array.position++, v);
    }
    arena.release();
  }
  bool open(bool object) {
    level l;
    l.object = object;
    const bool parent_on_path = levels.empty() || (levels.back().object && levels.back().on_path);
    if (!capturing && parent_on_path) {
      if (levels.empty()) {
        root_object = object;
        l.on_path = object;
      } else if (object) {
        keys.push_back(key);  // the object is the value of `key`
        l.on_path = true;
      } else {
        keys.push_back(key);
        l.chosen = wants(keys);
        if (!l.chosen) keys.pop_back();
        else l.on_path = false;
      }
    }
    levels.push_back(l);
    return true;
  }
  void close() {
    const level l = levels.back();
    levels.pop_back();
    if (!capturing && (l.chosen || (l.object && l.on_path && !levels.empty()))) keys.pop_back();
  }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    begin_value();
    return open(true);
  }
  bool on_object_end(std::size_t n, json::error_code&) {
    if (capturing) stack.push_object(n);
    close();
    end_value();
    return true;
  }
  bool on_array_begin(json::error_code&) {
    begin_value();
    return open(false);
  }
  bool on_array_end(std::size_t n, json::error_code&) {
    if (capturing) stack.push_array(n);
    close();
    end_value();
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t n, json::error_code&) {
    if (capturing) {
      stack.push_chars(s);
    } else {
      if (n == s.size()) key.clear();  // its first part
      key.append(s.data(), s.size());
    }
    return true;
  }
  bool on_key(json::string_view s, std::size_t n, json::error_code&) {
    if (capturing) {
      stack.push_key(s);
    } else {
      if (n == s.size()) key.clear();  // the whole key in one part
      key.append(s.data(), s.size());
    }
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    begin_value();
    if (capturing) stack.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    begin_value();
    if (capturing) stack.push_string(s);
    end_value();
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    return scalar([&] { stack.push_int64(i); });
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    return scalar([&] { stack.push_uint64(u); });
  }
  bool on_double(double d, json::string_view, json::error_code&) {
    // Boost.JSON 1.81 reads a zero with a large exponent ("0e400") as NaN (json_text.cpp).
    return scalar([&] { stack.push_double(std::isnan(d) ? 0.0 : d); });
  }
  bool on_bool(bool b, json::error_code&) {
    return scalar([&] { stack.push_bool(b); });
  }
  bool on_null(json::error_code&) {
    return scalar([&] { stack.push_null(); });
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

  template <class Push>
  bool scalar(Push push) {
    begin_value();
    if (capturing) push();
    end_value();
    return true;
  }
};

// The newlines in `text`, counted in blocks of 255 into a byte the compiler can vectorize (every
// byte of a plan passes here, for the line and column of an error: std::count did one at a time).
std::size_t count_lines(std::string_view text) noexcept {
  std::size_t lines = 0;
  while (!text.empty()) {
    const std::size_t n = std::min<std::size_t>(text.size(), 255);
    unsigned char block = 0;
    for (std::size_t i = 0; i < n; ++i) block = static_cast<unsigned char>(block + (text[i] == '\n'));
    lines += block;
    text.remove_prefix(n);
  }
  return lines;
}

json::parse_options strict_options() {
  json::parse_options o;
  o.max_depth = 256;
  return o;
}

} // namespace

struct json_element_stream::impl {
  impl(wants_fn w, each_fn e) : parser(strict_options(), std::move(w), std::move(e)) {}
  json::basic_parser<element_handler> parser;
  json_error error;
  bool started = false;
  std::size_t line = 1, column = 1;  // of the next byte

  void advance(std::string_view consumed) {
    const std::size_t lines = count_lines(consumed);
    if (lines == 0) {
      column += consumed.size();
      return;
    }
    line += lines;
    column = consumed.size() - consumed.rfind('\n');
  }
  // The first bytes, held until they tell whether the text starts with a byte order mark.
  std::string head;

  bool begin() {
    started = true;
    const std::string text = std::move(head);
    if (text == "\xEF\xBB\xBF") {
      advance(text);
      return true;
    }
    return text.empty() || feed(text);
  }
  bool feed(std::string_view piece) {
    json::error_code ec;
    const std::size_t n = parser.write_some(true, piece.data(), piece.size(), ec);
    if (!ec && n < piece.size()) ec = json::error::extra_data;  // a second value after the first
    if (ec) {
      fail(piece, n, ec);
      return false;
    }
    advance(piece);
    return true;
  }
  // The document is bad at `at` in `piece`.
  void fail(std::string_view piece, std::size_t at, const json::error_code& ec) {
    advance(piece.substr(0, std::min(at, piece.size())));
    error.ec = ec;
    error.line = line;
    error.column = column;
    const auto byte = at < piece.size() ? static_cast<unsigned char>(piece[at]) : 0;
    error.what = byte >= 0x80 && ec != json::error::incomplete
                     ? fmt::format("invalid UTF-8 (byte 0x{:02X})", byte) : ec.message();
  }
};

json_element_stream::json_element_stream(wants_fn wants, each_fn each)
    : impl_(std::make_unique<impl>(std::move(wants), std::move(each))) {}

json_element_stream::~json_element_stream() = default;

bool json_element_stream::write(std::string_view piece) {
  auto& s = *impl_;
  if (s.error.ec) return false;
  if (!s.started) {
    // A leading byte order mark is skipped, even when it comes in more than one piece.
    const std::string_view bom = "\xEF\xBB\xBF";
    const std::size_t take = std::min(piece.size(), bom.size() - s.head.size());
    s.head.append(piece.substr(0, take));
    piece.remove_prefix(take);
    if (s.head.size() < bom.size() && bom.starts_with(s.head)) return true;  // not told yet
    if (!s.begin()) return false;
  }
  return piece.empty() || s.feed(piece);
}

bool json_element_stream::finish() {
  auto& s = *impl_;
  if (!s.started && !s.error.ec) s.begin();
  if (s.error.ec) return false;
  json::error_code ec;
  s.parser.write_some(false, nullptr, 0, ec);
  if (ec) s.fail({}, 0, ec);
  return !ec;
}

const json_error& json_element_stream::error() const noexcept { return impl_->error; }

bool json_element_stream::root_is_object() const noexcept { return impl_->parser.handler().root_object; }

} // namespace cohort::detail
