// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_COMMON_JSON_WRITER_HPP
#define COHORT_SRC_COMMON_JSON_WRITER_HPP

// Private to the library: one flat JSON object written straight into a string, member by member,
// for the lines written once per event (the journal's): no `json::object` built and thrown away.

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace cohort::detail {

/// Appends `"`, `s` escaped as Boost.JSON's serializer escapes it (`"`, `\` and the control
/// characters; other bytes as they are), and `"`.
void append_json_string(std::string& out, std::string_view s);

/// Appends `n` as `std::to_chars` writes it: an integer as Boost.JSON writes it, a double in its
/// shortest round-trip form.
template <class Number>
void append_number(std::string& out, Number n) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

/// Writes `{"key":value,...}` to the end of a string: `{` when made, `}` at `close()`. The keys
/// are the caller's literals (written as they are: no escaping).
class json_object_writer {
public:
  explicit json_object_writer(std::string& out) : out_(out) { out_ += '{'; }
  json_object_writer(const json_object_writer&) = delete;
  json_object_writer& operator=(const json_object_writer&) = delete;

  json_object_writer& string(std::string_view key, std::string_view value);
  json_object_writer& number(std::string_view key, std::int64_t value);
  json_object_writer& number(std::string_view key, std::uint64_t value);
  json_object_writer& number(std::string_view key, int value) { return number(key, std::int64_t{value}); }
  /// As Boost.JSON writes a double (`2.5E-1`).
  json_object_writer& number(std::string_view key, double value);
  json_object_writer& boolean(std::string_view key, bool value);
  void close() { out_ += '}'; }

private:
  void key(std::string_view k);
  std::string& out_;
  bool first_ = true;
};

} // namespace cohort::detail

#endif // COHORT_SRC_COMMON_JSON_WRITER_HPP
