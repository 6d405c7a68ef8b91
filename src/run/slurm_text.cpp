// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "run/slurm_text.hpp"

#include <array>
#include <charconv>

namespace cohort::detail {

namespace {

// Cuts `text` at the first `sep`: the head is returned, `text` keeps the rest.
std::string_view take(std::string_view& text, char sep) {
  const auto at = text.find(sep);
  const std::string_view head = text.substr(0, at);
  text = at == std::string_view::npos ? std::string_view() : text.substr(at + 1);
  return head;
}

std::optional<int> to_int(std::string_view s) {
  int v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

bool is_job_id(std::string_view s) {
  // A plain id, or an array task's `12_3`.
  return !s.empty() && s.find_first_not_of("0123456789_") == std::string_view::npos;
}

} // namespace

std::optional<queue_line> parse_queue_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  if (line.find('|') == std::string_view::npos) return std::nullopt;
  queue_line q;
  q.id = std::string(take(line, '|'));
  q.state = std::string(take(line, '|'));
  q.reason = std::string(take(line, '|'));
  q.comment = std::string(line);
  if (!is_job_id(q.id) || q.state.empty()) return std::nullopt;
  return q;
}

std::string parse_job_id(std::string_view out) {
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.remove_suffix(1);
  const std::string_view id = take(out, ';');
  return is_job_id(id) ? std::string(id) : std::string();
}

bool is_final_state(std::string_view state) noexcept {
  static constexpr std::array<std::string_view, 9> final_states{
      "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL",
      "DEADLINE", "PREEMPTED"};
  // squeue may add a '+' (`CANCELLED+`, `CANCELLED by 0`)
  const std::string_view word = state.substr(0, state.find_first_of("+ "));
  for (auto s : final_states)
    if (s == word) return true;
  return false;
}

std::optional<job_exit> parse_job_exit(std::string_view line) {
  static constexpr std::string_view key = " ExitCode=";
  const auto at = line.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view value = line.substr(at + key.size());
  value = value.substr(0, value.find(' '));
  const std::string_view code = take(value, ':');
  const auto c = to_int(code);
  const auto s = to_int(value);
  if (!c || !s) return std::nullopt;
  return job_exit{*c, *s};
}

std::string job_comment(std::string_view run, std::string_view task_id, int attempt) {
  std::string out = "cohort ";
  out += run;
  out += ' ';
  out += std::to_string(attempt);
  out += ' ';
  out += task_id;  // last: an id may hold spaces
  return out;
}

std::optional<job_mark> parse_job_comment(std::string_view comment) {
  if (take(comment, ' ') != "cohort") return std::nullopt;
  job_mark m;
  m.run = std::string(take(comment, ' '));
  const auto attempt = to_int(take(comment, ' '));
  m.task_id = std::string(comment);
  if (m.run.empty() || m.task_id.empty() || !attempt || *attempt < 1) return std::nullopt;
  m.attempt = *attempt;
  return m;
}

bool is_transient_submit_error(std::string_view text) noexcept {
  for (std::string_view s : {"Socket timed out", "temporarily unavailable", "Unable to contact slurm controller",
                             "try again", "Resource temporarily unavailable", "Slurm temporarily unable"}) {
    if (text.find(s) != std::string_view::npos) return true;
  }
  return false;
}

} // namespace cohort::detail
