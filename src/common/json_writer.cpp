// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "common/json_writer.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace cohort::detail {

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // start of the bytes not written yet
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    out += '\\';
    switch (c) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '\b': out += 'b'; break;
      case '\f': out += 'f'; break;
      case '\n': out += 'n'; break;
      case '\r': out += 'r'; break;
      case '\t': out += 't'; break;
      default:
        out += "u00";
        out += hex[c >> 4];
        out += hex[c & 0xf];
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out += '"';
}

void json_object_writer::key(std::string_view k) {
  if (!first_) out_ += ',';
  first_ = false;
  out_ += '"';
  out_ += k;
  out_ += "\":";
}

json_object_writer& json_object_writer::string(std::string_view k, std::string_view value) {
  key(k);
  append_json_string(out_, value);
  return *this;
}

json_object_writer& json_object_writer::number(std::string_view k, std::int64_t value) {
  key(k);
  append_number(out_, value);
  return *this;
}

json_object_writer& json_object_writer::number(std::string_view k, std::uint64_t value) {
  key(k);
  append_number(out_, value);
  return *this;
}

json_object_writer& json_object_writer::number(std::string_view k, double value) {
  key(k);
  out_ += boost::json::serialize(boost::json::value(value));
  return *this;
}

json_object_writer& json_object_writer::boolean(std::string_view k, bool value) {
  key(k);
  out_ += value ? "true" : "false";
  return *this;
}

} // namespace cohort::detail
