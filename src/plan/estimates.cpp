// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "plan/estimates.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <span>

namespace cohort::detail {
namespace json = boost::json;

namespace {

// Milliseconds per unit, or 0 for an unknown unit.
double unit_ms(std::string_view unit) noexcept {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60'000;
  if (unit == "h") return 3'600'000;
  return 0;
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// A non-negative JSON number of milliseconds (or count).
std::optional<double> non_negative(const json::value& v) {
  if (v.is_int64() && v.get_int64() >= 0) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double() && v.get_double() >= 0 && std::isfinite(v.get_double())) return v.get_double();
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> read_duration(const json::value& v) {
  if (auto n = non_negative(v)) {
    if (*n > 1e15) return std::nullopt;  // over 30,000 years: a mistake, and llround's limit
    return std::chrono::milliseconds(std::llround(*n));
  }
  if (v.is_string()) return parse_duration(v.get_string());
  return std::nullopt;
}

// An array of strings as a string_list, made straight from the parsed text (a job's argv is a
// few words: no vector, no string is allocated for them on the way).
std::optional<string_list> read_strings(const json::value& v) {
  const auto* a = v.if_array();
  if (!a) return std::nullopt;
  std::array<std::string_view, 16> few;
  std::vector<std::string_view> many;
  std::span<std::string_view> words(few.data(), a->size());
  if (a->size() > few.size()) {
    many.resize(a->size());
    words = many;
  }
  for (std::size_t i = 0; i < a->size(); ++i) {
    const auto* s = (*a)[i].if_string();
    if (!s) return std::nullopt;
    words[i] = *s;
  }
  return string_list(std::span<const std::string_view>(words));
}

std::string bad(std::string_view key, const json::value& v, std::string_view want) {
  return "invalid \"" + std::string(key) + "\" " + json::serialize(v) + ": expected " +
         std::string(want);
}

// `{"NAME": "value", ...}`: names non-empty without '=' or NUL, values without NUL (execve
// could not pass them).
std::optional<string_map> read_environment(const json::value& v) {
  const auto* o = v.if_object();
  if (!o) return std::nullopt;
  string_map out;
  for (const auto& kv : *o) {
    const std::string_view name = kv.key();
    const auto* value = kv.value().if_string();
    if (name.empty() || name.find_first_of(std::string_view("=\0", 2)) != std::string_view::npos ||
        !value || value->find('\0') != json::string::npos)
      return std::nullopt;
    out.insert_or_assign(std::string(name), std::string(*value));
  }
  return out;
}

// A resource a task may ask of a cluster, and its value: a word of letters, digits and
// `_.:,=+/@-` that is not an option (a value never starts with '-').
bool is_slurm_resource(std::string_view key) noexcept {
  static constexpr std::array<std::string_view, 8> keys{"partition", "account", "qos", "time",
                                                        "cpus", "mem", "gres", "constraint"};
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

bool is_slurm_value(std::string_view v) noexcept {
  if (v.empty() || v.size() > 256 || v.front() == '-') return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_.:,=+/@-").find(c) != std::string_view::npos;
  });
}

std::optional<string_map> read_slurm(const json::value& v) {
  const auto* o = v.if_object();
  if (!o) return std::nullopt;
  string_map out;
  for (const auto& kv : *o) {
    std::string value;
    if (const auto* s = kv.value().if_string()) value = std::string(*s);
    else if (kv.value().is_int64() && kv.value().get_int64() > 0) value = std::to_string(kv.value().get_int64());
    if (!is_slurm_resource(kv.key()) || !is_slurm_value(value)) return std::nullopt;
    out.insert_or_assign(std::string(kv.key()), std::move(value));
  }
  return out;
}

} // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  double total = 0;
  if (text.empty()) return std::nullopt;
  while (!text.empty()) {
    std::size_t n = 0;
    while (n < text.size() && (is_digit(text[n]) || text[n] == '.')) ++n;
    double value = 0;
    const auto r = std::from_chars(text.data(), text.data() + n, value);
    if (n == 0 || r.ec != std::errc() || r.ptr != text.data() + n) return std::nullopt;
    std::size_t u = n;
    while (u < text.size() && !is_digit(text[u]) && text[u] != '.') ++u;
    const double per = unit_ms(text.substr(n, u - n));
    if (per == 0) return std::nullopt;
    total += value * per;
    text.remove_prefix(u);
  }
  if (!std::isfinite(total) || total > 1e15) return std::nullopt;
  return std::chrono::milliseconds(std::llround(total));
}

bool is_estimate_key(std::string_view key) noexcept {
  static constexpr std::array<std::string_view, 7> keys{"duration", "duration_ms", "tokens",
                                                        "owns", "argv", "env", "slurm"};
  for (auto k : keys)
    if (k == key) return true;
  return false;
}

void read_estimates(const json::object& o, task& t, std::vector<std::string>& problems) {
  for (const auto& kv : o) read_estimate(kv.key(), kv.value(), t, problems);
}

void read_estimate(std::string_view key, const json::value& v, task& t, std::vector<std::string>& problems) {
  {
    if (key == "duration") {
      if (auto d = read_duration(v)) t.duration = *d;
      else problems.push_back(bad(key, v, "a duration such as \"25m\" or milliseconds"));
    } else if (key == "duration_ms") {
      auto d = v.is_number() ? read_duration(v) : std::nullopt;
      if (d) t.duration = *d;
      else problems.push_back(bad(key, v, "milliseconds"));
    } else if (key == "tokens") {
      auto n = non_negative(v);
      if (n && *n == std::floor(*n) && *n < 1.8e19) t.tokens = static_cast<std::uint64_t>(*n);
      else problems.push_back(bad(key, v, "a non-negative integer"));
    } else if (key == "owns" || key == "argv") {
      if (auto s = read_strings(v)) (key == "owns" ? t.owns : t.argv) = std::move(*s);
      else problems.push_back(bad(key, v, "an array of strings"));
    } else if (key == "env") {
      if (auto e = read_environment(v)) t.env = std::move(*e);
      else problems.push_back(bad(key, v, "an object of strings, each name without '=' or NUL"));
    } else if (key == "slurm") {
      if (auto r = read_slurm(v)) t.slurm = std::move(*r);
      else problems.push_back(bad(key, v, "an object of partition, account, qos, time, cpus, mem, gres or "
                                          "constraint, each a word of letters, digits and _.:,=+/@- not starting with '-'"));
    }
  }
}

} // namespace cohort::detail
