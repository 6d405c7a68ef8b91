// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/run_dir.hpp>

#include <cohort/core/error.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace cohort {

namespace fs = std::filesystem;

namespace {

error_code last_error() { return {errno, boost::system::system_category()}; }

[[noreturn]] void fail(const error_code& ec, const std::string& what) {
  throw system_error(ec, what);
}

// A task id as a file name: path separators and dots at the start cannot escape the run dir.
std::string file_name_of(const std::string& id) {
  std::string out;
  for (char c : id) out += (c == '/' || c == '\\' || c == '\0') ? '_' : c;
  if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
  return out;
}

} // namespace

fs::path journal_file(const fs::path& run_dir) { return run_dir / "journal.jsonl"; }

fs::path agents_dir(const fs::path& run_dir) { return run_dir / "agents"; }

agent_files agent_files_of(const fs::path& run_dir, const std::string& task_id, int attempt) {
  const fs::path dir = agents_dir(run_dir) / file_name_of(task_id);
  const std::string stem = (dir / std::to_string(attempt)).string();
  return {dir / "prompt.md", stem + ".out", stem + ".err", stem + ".usage.json"};
}

std::string run_dir_marker(const fs::path& run_dir) {
  return fs::weakly_canonical(fs::absolute(run_dir)).string();
}

run_dir_lock::run_dir_lock(fs::path run_dir) : run_dir_(std::move(run_dir)) {
  std::error_code mk;
  fs::create_directories(run_dir_, mk);
  if (mk) fail(error_code(mk.value(), boost::system::system_category()),
               "cohort: cannot create the run dir " + run_dir_.string());
  const fs::path file = run_dir_ / "journal.lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) fail(last_error(), "cohort: cannot open " + file.string());
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const error_code ec = errno == EWOULDBLOCK
        ? error_code(EBUSY, boost::system::generic_category()) : last_error();
    char holder[32] = {};
    (void)::pread(fd_, holder, sizeof holder - 1, 0);
    ::close(fd_);
    fail(ec, fmt::format("cohort: the run dir {} is in use by another run (pid {})",
                         run_dir_.string(), std::string_view(holder).substr(0, 20)));
  }
  const std::string pid = std::to_string(::getpid()) + '\n';
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    const error_code ec = last_error();
    ::close(fd_);
    fail(ec, "cohort: cannot write " + file.string());
  }
}

run_dir_lock::run_dir_lock(run_dir_lock&& other) noexcept
    : run_dir_(std::move(other.run_dir_)), fd_(std::exchange(other.fd_, -1)) {}

run_dir_lock::~run_dir_lock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

} // namespace cohort
