// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "common/json_text.hpp"

#include "common/json_writer.hpp"
#include "common/private_file.hpp"
#include "common/system_errors.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <vector>
#include <functional>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cohort::detail {
namespace json = boost::json;

namespace {

void set_position(std::string_view text, std::size_t consumed, json_error& err) {
  consumed = std::min(consumed, text.size());
  const std::string_view before = text.substr(0, consumed);
  err.line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t nl = before.rfind('\n');
  err.column = 1 + (nl == std::string_view::npos ? consumed : consumed - nl - 1);
}

void append_indent(std::string& out, std::size_t depth) { out.append(2 * depth, ' '); }

void append_double(std::string& out, double d) {
  // JSON has no infinity or NaN. A number past double's range ("1e400") parses as infinity, so
  // infinity is written as a number that parses back to it; NaN, which no parse gives, as null.
  if (std::isnan(d)) return void(out += "null");
  if (std::isinf(d)) return void(out += d < 0 ? "-1e99999" : "1e99999");
  const std::size_t start = out.size();
  append_number(out, d);
  if (out.find_first_of(".eEn", start) == std::string::npos) out += ".0";  // stays a double
}

void append_value(std::string& out, const json::value& v, std::size_t depth);

void append_array(std::string& out, const json::array& a, std::size_t depth) {
  if (a.empty()) return void(out += "[]");
  out += "[\n";
  for (std::size_t i = 0; i < a.size(); ++i) {
    append_indent(out, depth + 1);
    append_value(out, a[i], depth + 1);
    out += i + 1 < a.size() ? ",\n" : "\n";
  }
  append_indent(out, depth);
  out += ']';
}

void append_object(std::string& out, const json::object& o, std::size_t depth) {
  if (o.empty()) return void(out += "{}");
  out += "{\n";
  std::size_t i = 0;
  for (const auto& kv : o) {
    append_indent(out, depth + 1);
    append_json_string(out, kv.key());
    out += ": ";
    append_value(out, kv.value(), depth + 1);
    out += ++i < o.size() ? ",\n" : "\n";
  }
  append_indent(out, depth);
  out += '}';
}

void append_value(std::string& out, const json::value& v, std::size_t depth) {
  switch (v.kind()) {
    case json::kind::null: out += "null"; break;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case json::kind::int64: append_number(out, v.get_int64()); break;
    case json::kind::uint64: append_number(out, v.get_uint64()); break;
    case json::kind::double_: append_double(out, v.get_double()); break;
    case json::kind::string: append_json_string(out, v.get_string()); break;
    case json::kind::array: append_array(out, v.get_array(), depth); break;
    case json::kind::object: append_object(out, v.get_object(), depth); break;
  }
}

// Boost.JSON 1.81 parses a zero with a large exponent ("0e400", "0.0E999") as NaN; no other
// JSON number gives NaN, so every NaN in a parsed value is such a zero. (Depth is bounded by
// the parser's max_depth.)
void zero_the_nans(json::value& v) {
  if (auto* d = v.if_double(); d && std::isnan(*d)) *d = 0.0;
  if (auto* a = v.if_array())
    for (auto& e : *a) zero_the_nans(e);
  if (auto* o = v.if_object())
    for (auto& kv : *o) zero_the_nans(kv.value());
}

} // namespace

json::value parse_json(std::string_view text, json_error& err) {
  json::parse_options opt;
  opt.max_depth = 256;
  json::stream_parser p({}, opt);
  // The document is read, then dropped: one arena instead of an allocation per string, array
  // and object, freed at once (the harness's 3.5 MB, 10,000-job tasks.json takes 7.5 MB
  // resident this way, 10.3 MB with an allocation each).
  p.reset(json::make_shared_resource<json::monotonic_resource>());
  err = {};
  const std::string_view bom = "\xEF\xBB\xBF";
  const std::size_t skipped = text.starts_with(bom) ? bom.size() : 0;
  const std::string_view body = text.substr(skipped);
  // write() consumes trailing white space and fails on anything else after the value.
  const std::size_t n = p.write(body.data(), body.size(), err.ec);
  if (!err.ec) p.finish(err.ec);
  if (err.ec) {
    const std::size_t at = skipped + (err.ec == json::error::incomplete ? body.size() : n);
    set_position(text, at, err);
    // The parser stops at the first byte it cannot take: a non-ASCII one there is bad UTF-8.
    const std::size_t bad = std::min(at, text.size() - 1);
    const auto byte = text.empty() ? 0 : static_cast<unsigned char>(text[bad]);
    err.what = byte >= 0x80 && err.ec != json::error::incomplete
                   ? fmt::format("invalid UTF-8 (byte 0x{:02X})", byte) : err.ec.message();
    return nullptr;
  }
  json::value v = p.release();
  zero_the_nans(v);
  return v;
}

std::string format_json(const json::value& v) {
  std::string out;
  append_value(out, v, 0);
  return out;
}

void append_member(std::string& object_text, std::string_view key, const json::value& v) {
  if (object_text.empty()) object_text = '{';
  else object_text.back() = ',';
  append_json_string(object_text, key);
  object_text += ':';
  // As json::serialize writes them, without a string made for each (most kept fields are these).
  switch (v.kind()) {
    case json::kind::string: append_json_string(object_text, v.get_string()); break;
    case json::kind::int64: append_number(object_text, v.get_int64()); break;
    case json::kind::uint64: append_number(object_text, v.get_uint64()); break;
    case json::kind::bool_: object_text += v.get_bool() ? "true" : "false"; break;
    case json::kind::null: object_text += "null"; break;
    default: object_text += json::serialize(v);
  }
  object_text += '}';
}

std::string id_text(const json::value& v) {
  std::string out;
  switch (v.kind()) {
    case json::kind::string: return std::string(v.get_string());
    case json::kind::int64: append_number(out, v.get_int64()); break;
    case json::kind::uint64: append_number(out, v.get_uint64()); break;
    case json::kind::double_: append_number(out, v.get_double()); break;
    default: break;
  }
  return out;
}

void read_file_pieces(const std::filesystem::path& file, const std::function<bool(std::string_view)>& piece,
                      error_code& ec) {
  ec = {};
  // O_NONBLOCK: opening a FIFO nobody writes must not hang; a regular file ignores it.
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return void(ec = detail::last_error());
  struct stat st {};
  if (::fstat(fd, &st) != 0) ec = detail::last_error();
  else if (!S_ISREG(st.st_mode) || static_cast<std::size_t>(st.st_size) > max_input_file) ec = errc::file_refused;
  std::vector<char> buf(ec ? 0 : std::size_t(1) << 20);
  std::size_t total = 0;
  while (!ec) {
    const ssize_t r = ::read(fd, buf.data(), buf.size());
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) ec = detail::last_error();
    if (r <= 0) break;
    total += static_cast<std::size_t>(r);
    if (total > max_input_file) ec = errc::file_refused;  // it grew while read
    else if (!piece(std::string_view(buf.data(), static_cast<std::size_t>(r)))) break;
  }
  ::close(fd);
}

void read_file(const std::filesystem::path& file, std::string& out, error_code& ec) {
  out.clear();
  read_file_pieces(file, [&out](std::string_view piece) {
    out.append(piece);
    return true;
  }, ec);
  if (ec) out.clear();
}

void write_file_atomic(const std::filesystem::path& link_or_file, std::string_view text, error_code& ec) {
  ec = {};
  // A symbolic link is written through: its target is replaced, the link stays a link.
  std::filesystem::path file = link_or_file;
  std::error_code link_ec;
  if (std::filesystem::is_symlink(file, link_ec)) {
    file = std::filesystem::canonical(link_or_file, link_ec);
    if (link_ec) return void(ec = detail::system_error_code(link_ec.value()));
  }
  struct ::stat st {};
  const ::mode_t mode = ::stat(file.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
  // Beside the target, new (O_EXCL): a leftover of a dead writer, or a link planted under the
  // name, is removed first and never followed.
  const std::string tmp = file.string() + ".tmp." + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return void(ec = detail::last_error());
  ec = write_all(fd, text);
  if (!ec && (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0)) ec = detail::last_error();
  if (::close(fd) != 0 && !ec) ec = detail::last_error();
  if (!ec && ::rename(tmp.c_str(), file.c_str()) != 0) ec = detail::last_error();
  if (ec) ::unlink(tmp.c_str());
}

} // namespace cohort::detail
