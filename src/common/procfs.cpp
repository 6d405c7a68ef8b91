// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "common/procfs.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <string_view>

#include <dirent.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

namespace cohort::detail {

std::optional<std::string> try_read_proc_file(int pid, const char* name) {
  const std::string path = "/proc/" + std::to_string(pid) + "/" + name;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<std::string> out(std::in_place);
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {  // ESRCH: it exited while we read
      out.reset();
      break;
    }
    if (n == 0) break;
    out->append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string read_proc_file(int pid, const char* name) {
  return try_read_proc_file(pid, name).value_or(std::string());
}

namespace {

// The next space-separated field of `rest`, removed from it.
std::string_view next_field(std::string_view& rest) {
  const auto begin = rest.find_first_not_of(' ');
  if (begin == std::string_view::npos) return rest = {};
  const auto end = std::min(rest.find(' ', begin), rest.size());
  const auto field = rest.substr(begin, end - begin);
  rest.remove_prefix(end);
  return field;
}

template <class Int>
bool parse(std::string_view text, Int& out) {
  const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

} // namespace

std::optional<proc_stat> read_proc_stat(int pid) {
  const std::string line = read_proc_file(pid, "stat");
  // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses; it ends at the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::string_view rest = std::string_view(line).substr(close + 1);
  proc_stat s;
  s.pid = pid;
  const auto state = next_field(rest);  // field 3
  if (state.size() != 1) return std::nullopt;
  s.state = state[0];
  if (!parse(next_field(rest), s.ppid) || !parse(next_field(rest), s.pgid)) return std::nullopt;
  for (int field = 6; field < 22; ++field) next_field(rest);
  if (!parse(next_field(rest), s.start_time)) return std::nullopt;  // field 22
  return s;
}

std::uint64_t boot_ticks_now() {
  timespec now{};
  ::clock_gettime(CLOCK_BOOTTIME, &now);
  const auto hz = static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK));
  return static_cast<std::uint64_t>(now.tv_sec) * hz +
         static_cast<std::uint64_t>(now.tv_nsec) * hz / 1'000'000'000U;
}

std::vector<proc_stat> scan_processes() {
  std::vector<proc_stat> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (const dirent* e = ::readdir(d)) {
    int pid = 0;
    if (!parse(std::string_view(e->d_name), pid)) continue;
    if (auto s = read_proc_stat(pid)) out.push_back(*s);
  }
  ::closedir(d);
  return out;
}

} // namespace cohort::detail
