// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "common/json_spans.hpp"

#include <boost/json/parse.hpp>

namespace cohort::detail {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view text, std::size_t pos) {
  while (pos < text.size() && is_space(text[pos])) ++pos;
  return pos;
}

// Past the string whose opening quote is at `pos`.
std::size_t string_end(std::string_view text, std::size_t pos) {
  for (++pos; pos < text.size(); ++pos) {
    if (text[pos] == '\\') ++pos;
    else if (text[pos] == '"') return pos + 1;
  }
  return text.size();
}

// Past the value that starts at `pos`: strings skipped whole, brackets counted.
std::size_t value_end(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return pos;
  if (text[pos] == '"') return string_end(text, pos);
  if (text[pos] != '{' && text[pos] != '[') {  // number, true, false, null
    while (pos < text.size() && !is_space(text[pos]) && text[pos] != ',' && text[pos] != '}' &&
           text[pos] != ']')
      ++pos;
    return pos;
  }
  std::size_t depth = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if (c == '"') {
      pos = string_end(text, pos);
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    else if ((c == '}' || c == ']') && --depth == 0) return pos + 1;
    ++pos;
  }
  return pos;
}

std::string unescape_key(std::string_view quoted) {
  const std::string_view inner = quoted.substr(1, quoted.size() - 2);
  if (inner.find('\\') == std::string_view::npos) return std::string(inner);
  return std::string(boost::json::parse(quoted).as_string());
}

// Calls `each(pos)` at the start of every item between the brackets of `span`.
template <class Each>
void for_each_item(std::string_view text, json_span span, Each each) {
  std::size_t pos = skip_space(text, span.begin + 1);
  while (pos < span.end && text[pos] != '}' && text[pos] != ']') {
    pos = skip_space(text, each(pos));
    if (pos < span.end && text[pos] == ',') pos = skip_space(text, pos + 1);
  }
}

} // namespace

json_span json_value_at(std::string_view text, std::size_t pos) {
  pos = skip_space(text, pos);
  return {pos, value_end(text, pos)};
}

std::vector<json_member> json_members(std::string_view text, json_span object) {
  std::vector<json_member> out;
  for_each_item(text, object, [&](std::size_t pos) {
    json_member m;
    m.key_span = {pos, string_end(text, pos)};
    m.key = unescape_key(text.substr(pos, m.key_span.end - pos));
    const std::size_t colon = skip_space(text, m.key_span.end);
    m.value = json_value_at(text, colon + 1);
    out.push_back(std::move(m));
    return out.back().value.end;
  });
  return out;
}

std::vector<json_span> json_elements(std::string_view text, json_span array) {
  std::vector<json_span> out;
  for_each_item(text, array, [&](std::size_t pos) {
    out.push_back(json_value_at(text, pos));
    return out.back().end;
  });
  return out;
}

} // namespace cohort::detail
