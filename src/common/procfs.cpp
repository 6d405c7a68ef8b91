// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "common/procfs.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>

#include <dirent.h>
#include <time.h>
#include <fcntl.h>
#include <sys/stat.h>
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

// A small /proc file in one read into `buffer`, no allocation: the kernel makes such a file whole
// at once (a stat line, a counter). Empty when it is gone (ESRCH: the process exited meanwhile).
template <std::size_t N>
std::optional<std::string_view> read_small(const char* path, char (&buffer)[N]) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  ssize_t n = 0;
  do n = ::read(fd, buffer, N);
  while (n < 0 && errno == EINTR);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  return std::string_view(buffer, static_cast<std::size_t>(n));
}

} // namespace

std::optional<proc_stat> read_proc_stat(int pid) {
  // Well under a page (52 numbers and a name of at most 64 bytes); every launch and every
  // candidate of a leftover search reads one.
  char path[32] = "/proc/";
  char* const end = std::to_chars(path + 6, path + sizeof path - 6, pid).ptr;
  std::memcpy(end, "/stat", 6);
  char buffer[4096];
  const auto read = read_small(path, buffer);
  if (!read) return std::nullopt;
  const std::string_view line = *read;
  // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses; it ends at the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = line.substr(close + 1);
  proc_stat s;
  s.pid = pid;
  const auto state = next_field(rest);  // field 3
  if (state.size() != 1) return std::nullopt;
  s.state = state[0];
  if (!parse(next_field(rest), s.ppid) || !parse(next_field(rest), s.pgid)) return std::nullopt;
  for (int field = 6; field < 9; ++field) next_field(rest);
  if (!parse(next_field(rest), s.flags)) return std::nullopt;  // field 9
  for (int field = 10; field < 22; ++field) next_field(rest);
  if (!parse(next_field(rest), s.start_time)) return std::nullopt;  // field 22
  return s;
}

bool runs_this_program(int pid) {
  struct stat self {}, other {};
  const std::string exe = "/proc/" + std::to_string(pid) + "/exe";
  return ::stat("/proc/self/exe", &self) == 0 && ::stat(exe.c_str(), &other) == 0 &&
         self.st_dev == other.st_dev && self.st_ino == other.st_ino;
}

std::uint64_t boot_ticks_now() {
  timespec now{};
  ::clock_gettime(CLOCK_BOOTTIME, &now);
  const auto hz = static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK));
  return static_cast<std::uint64_t>(now.tv_sec) * hz +
         static_cast<std::uint64_t>(now.tv_nsec) * hz / 1'000'000'000U;
}

namespace {

template <class Keep>
std::vector<proc_stat> scan_processes_if(Keep keep) {
  std::vector<proc_stat> out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (const dirent* e = ::readdir(d)) {
    int pid = 0;
    if (!parse(std::string_view(e->d_name), pid) || !keep(pid)) continue;
    if (auto s = read_proc_stat(pid)) out.push_back(*s);
  }
  ::closedir(d);
  return out;
}

// The number in field `field` (0-based) of a /proc file (`/proc/sys/kernel/pid_max`), or of the
// line of /proc/stat that starts with `key`.
template <class Int>
std::optional<Int> proc_number(const char* path, std::string_view key = {}, int field = 0) {
  char buffer[8192];
  const auto read = read_small(path, buffer);
  if (!read) return std::nullopt;
  std::string_view text = *read;
  if (!key.empty()) {
    auto at = text.find(key);
    while (at != std::string_view::npos && at != 0 && text[at - 1] != '\n') at = text.find(key, at + 1);
    if (at == std::string_view::npos) return std::nullopt;
    text.remove_prefix(at + key.size());
  }
  for (; field > 0; --field) next_field(text);
  Int value{};
  const auto number = next_field(text);
  const auto r = std::from_chars(number.data(), number.data() + number.size(), value);
  if (r.ec != std::errc()) return std::nullopt;
  return value;
}

} // namespace

std::vector<proc_stat> scan_processes() {
  return scan_processes_if([](int) { return true; });
}

std::uint64_t forks_since_boot() {
  return proc_number<std::uint64_t>("/proc/stat", "processes ").value_or(0);
}

std::size_t pid_window::size() const noexcept {
  const auto a = static_cast<std::size_t>(after), t = static_cast<std::size_t>(through);
  return after <= through ? t - a : static_cast<std::size_t>(limit) - 1 - a + t;
}

std::optional<pid_window> pids_allocated_after(int pid, std::uint64_t forks_before, std::uint64_t* forks_now) {
  // The last pid handed out in this namespace is the fifth field of /proc/loadavg.
  const auto last = forks_before == 0 ? std::nullopt : proc_number<int>("/proc/loadavg", {}, 4);
  if (!last) return std::nullopt;
  pid_window w;
  w.after = pid;
  w.through = *last;
  const auto limit = proc_number<int>("/proc/sys/kernel/pid_max");
  const std::uint64_t forks = forks_since_boot();
  if (forks_now) *forks_now = forks;
  if (!limit || forks < forks_before) return std::nullopt;
  w.limit = *limit;
  // Each fork takes one pid at most; the counter skips the pids in use and restarts above the
  // reserved ones (300), so fewer forks than that many pids cannot have come round to `pid`.
  const std::uint64_t room = static_cast<std::uint64_t>(std::max(*limit - 1000, 0));
  if (forks - forks_before >= room) return std::nullopt;
  return w;
}

std::vector<proc_stat> scan_processes(const pid_window& window, const std::vector<int>& skip) {
  const auto skipped = [&](int pid) { return std::find(skip.begin(), skip.end(), pid) != skip.end(); };
  // Most windows of a short agent hold only the other agents started since: no /proc at all.
  if (window.size() <= 4096) {
    bool other = false;
    for (int pid = window.after, left = static_cast<int>(window.size()); left > 0 && !other; --left) {
      pid = pid + 1 >= window.limit ? 1 : pid + 1;
      other = !skipped(pid);
    }
    if (!other) return {};
  }
  return scan_processes_if([&](int pid) { return window.contains(pid) && !skipped(pid); });
}

} // namespace cohort::detail
