// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_COMMON_JSON_TEXT_HPP
#define COHORT_SRC_COMMON_JSON_TEXT_HPP

// Private to the library: JSON text in and out, and whole-file I/O, for the plan loaders and
// writers. Not installed.

#include <cohort/core/error.hpp>

#include <boost/json/value.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace cohort::detail {

/// Where strict JSON parsing stopped, when it failed.
struct json_error {
  error_code ec;
  std::size_t line = 0;    ///< 1-based
  std::size_t column = 0;  ///< 1-based, in bytes
  std::string what;        ///< for people: "invalid UTF-8 (byte 0xFF)", else the code's message
};

/// Parses `text` as strict JSON (no comments, no trailing commas, valid UTF-8; a leading UTF-8
/// byte order mark is skipped, as editors on Windows write one).
/**
 * The value lives in its own arena (a `monotonic_resource`): read it, change it, write it, copy
 * from it; do not keep parts of it (moved out, they keep the whole arena alive).
 *
 * On failure returns null and sets `err` with the line and column of the first byte the parser
 * could not take (Boost.JSON reports neither: they are counted from the bytes it consumed).
 */
boost::json::value parse_json(std::string_view text, json_error& err);

/// `v` as JavaScript's `JSON.stringify(v, null, 2)` writes it: 2-space indentation, `": "`,
/// `[]` and `{}` when empty, only `"`, `\` and control characters escaped, keys in their order.
/// Integers stay integers; a double prints its shortest round-trip form (with ".0" if integral).
std::string format_json(const boost::json::value& v);

/// Adds `"key":value` to `object_text`, the text of a JSON object ("" for none yet: it becomes
/// `{"key":value}`). How a task keeps the fields cohort does not model (`task_text::extra`).
void append_member(std::string& object_text, std::string_view key, const boost::json::value& v);

/// `String(id)` as JavaScript computes it for a JSON id or dependency: strings as they are,
/// integers in decimal, doubles in shortest form (31.1 -> "31.1", 3.0 -> "3"). Empty for other kinds.
std::string id_text(const boost::json::value& v);

/// Reads the whole file into `out`.
/// The largest input file read (a plan of a million tasks is about 350 MB).
inline constexpr std::size_t max_input_file = std::size_t(1) << 30;

void read_file(const std::filesystem::path& file, std::string& out, error_code& ec);
/// Reads the file in pieces of up to 1 MiB, each handed to `piece` as it comes, which may stop
/// the reading (false). The same checks as `read_file` (a regular file, no larger than
/// `max_input_file`).
void read_file_pieces(const std::filesystem::path& file, const std::function<bool(std::string_view)>& piece,
                      error_code& ec);

/// Replaces `file` by `text` atomically: a temporary file beside it (same mode as `file` when it
/// exists), flushed to disk, then renamed over it.
void write_file_atomic(const std::filesystem::path& file, std::string_view text, error_code& ec);

} // namespace cohort::detail

#endif // COHORT_SRC_COMMON_JSON_TEXT_HPP
