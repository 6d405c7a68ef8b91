// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/run_dir.hpp>

#include <cohort/core/error.hpp>

#include "common/fnv1a.hpp"
#include "common/private_file.hpp"
#include "common/procfs.hpp"
#include "common/system_errors.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <ctime>
#include <iterator>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cohort {

namespace fs = std::filesystem;

namespace {

using detail::last_error;

bool plain_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

// A task id as a file name, one to one (see `agent_files_of`).
std::string file_name_of(std::string_view id) {
  constexpr std::size_t limit = 100, head = 80;
  std::string out;
  for (std::size_t i = 0; i < id.size(); ++i) {
    const auto c = static_cast<unsigned char>(id[i]);
    if (plain_byte(c) && !(c == '.' && i == 0)) out += static_cast<char>(c);
    else fmt::format_to(std::back_inserter(out), "%{:02X}", c);
  }
  if (out.empty()) return "%";  // never the encoding of a non-empty id: '%' itself is "%25"
  if (out.size() <= limit) return out;
  std::size_t cut = head;  // not inside a %XX
  while (out[cut - 1] == '%' || out[cut - 2] == '%') --cut;
  return fmt::format("{}~{:016x}", std::string_view(out).substr(0, cut), detail::fnv1a(id));
}

// A directory only this user can change: made 0700, or an existing real directory (not a
// link) owned by this user and writable by nobody else. False when `parent_may_be_gone` and its
// parent is (nothing made).
bool private_directory(const std::string& dir, bool parent_may_be_gone = false) {
  if (::mkdir(dir.c_str(), 0700) == 0) return true;
  if (errno == ENOENT && parent_may_be_gone) return false;
  if (errno != EEXIST) throw system_error(last_error(), "cohort: cannot create " + dir);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    throw system_error(last_error(), "cohort: cannot inspect " + dir);
  }
  const char* why = S_ISLNK(st.st_mode)      ? "it is a symbolic link"
                    : !S_ISDIR(st.st_mode)   ? "it is not a directory"
                    : st.st_uid != ::geteuid() ? "it belongs to another user"
                    : (st.st_mode & 022) != 0  ? "others may write in it"
                                               : nullptr;
  if (why) {
    throw system_error(error_code(EPERM, boost::system::generic_category()),
                       fmt::format("cohort: refusing {} as part of a run dir: {}", dir, why));
  }
  return true;
}

// What the holder of the lock on `fd` wrote in it: its pid (at most 20 characters).
std::string lock_holder(int fd) {
  char text[21] = {};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  std::string_view held(text, n > 0 ? static_cast<std::size_t>(n) : 0);
  return std::string(held.substr(0, held.find('\n')));
}

// Whether the pid the holder of the lock on `fd` wrote in it names a live process.
bool holder_alive(int fd) {
  const std::string text = lock_holder(fd);
  int pid = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), pid);
  if (r.ec != std::errc() || pid <= 0) return false;
  const auto s = detail::read_proc_stat(pid);
  return s && !s->zombie();
}

// flock(LOCK_EX) on `fd`, without waiting for a live holder. A run killed while it was starting a
// process leaves the lock to that child until the child execs (the descriptor is close-on-exec,
// but the child has a copy of it from the fork on): when the pid written in the file is no live
// process, the lock is tried again every 10 ms for up to 2 s. False with errno set otherwise.
bool take_lock(int fd) {
  for (int tries = 0;; ++tries) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return true;
    const int e = errno;
    if (e != EWOULDBLOCK || tries == 200 || holder_alive(fd)) {
      errno = e;
      return false;
    }
    const timespec pause{0, 10'000'000};
    ::nanosleep(&pause, nullptr);
  }
}

// The folder of task `task_id`'s files, as text: `<run_dir>/agents/<task>`. Joined as text: the
// names are ours (`file_name_of` has no '/'), and fs::path's operator/ parses both sides again,
// on every launch.
std::string agent_dir_text(const fs::path& run_dir, std::string_view task_id) {
  std::string dir = run_dir.native();
  if (!dir.empty() && dir.back() != '/') dir += '/';
  dir += "agents/";
  dir += file_name_of(task_id);
  return dir;
}

} // namespace

fs::path journal_file(const fs::path& run_dir) { return run_dir / "journal.jsonl"; }

fs::path agents_dir(const fs::path& run_dir) { return run_dir / "agents"; }

std::string agent_file_stem(const fs::path& run_dir, std::string_view task_id, int attempt) {
  std::string stem = agent_dir_text(run_dir, task_id);
  stem += '/';
  stem += std::to_string(attempt);
  return stem;
}

agent_files agent_files_of(const fs::path& run_dir, const std::string& task_id, int attempt) {
  const std::string stem = agent_file_stem(run_dir, task_id, attempt);
  const std::string_view dir(stem.data(), stem.rfind('/') + 1);
  return {std::string(dir) + "prompt.md", stem + ".out", stem + ".err", stem + ".usage.json"};
}

fs::path make_agent_dir(const fs::path& run_dir, const std::string& task_id, bool parents_made) {
  const std::string dir = agent_dir_text(run_dir, task_id);
  if (parents_made && private_directory(dir, true)) return dir;
  private_directory(run_dir.native());
  private_directory(agents_dir(run_dir).native());
  private_directory(dir);
  return dir;
}

std::string run_dir_marker(const fs::path& run_dir) {
  return fs::weakly_canonical(fs::absolute(run_dir)).string();
}

run_dir_lock::run_dir_lock(fs::path run_dir) : run_dir_(std::move(run_dir)) {
  fs::path dir = run_dir_.lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();  // "run/"
  std::error_code mk;
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), mk);
  if (mk) {
    throw system_error(detail::system_error_code(mk.value()),
                       "cohort: cannot create the run dir " + run_dir_.string());
  }
  private_directory(dir.native());
  const fs::path file = run_dir_ / "journal.lock";
  fd_ = detail::open_private(file, O_RDWR | O_CREAT);
  if (!take_lock(fd_)) {
    const error_code ec = errno == EWOULDBLOCK
        ? error_code(EBUSY, boost::system::generic_category()) : last_error();
    const std::string holder = lock_holder(fd_);
    ::close(fd_);
    throw system_error(ec, fmt::format("cohort: the run dir {} is in use by another run (pid {})",
                                       run_dir_.string(), holder));
  }
  const std::string pid = std::to_string(::getpid()) + '\n';
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    const error_code ec = last_error();
    ::close(fd_);
    throw system_error(ec, "cohort: cannot write " + file.string());
  }
}

run_dir_lock::run_dir_lock(run_dir_lock&& other) noexcept
    : run_dir_(std::move(other.run_dir_)), fd_(std::exchange(other.fd_, -1)) {}

run_dir_lock::~run_dir_lock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

} // namespace cohort
