// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "observers.hpp"

#include "cli.hpp"

#include <cohort/plan/taskmaster.hpp>
#include <cohort/view/terminal_text.hpp>

#include <boost/asio/post.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace rolling_wave {

namespace fs = std::filesystem;

void agent_pids::on_event(const cohort::event& e) {
  if (!e.task) return;
  if (e.kind == cohort::event_kind::task_launched && e.pid > 0) pids_[*e.task] = e.pid;
  if (e.kind == cohort::event_kind::task_usage || e.kind == cohort::event_kind::task_cancelled) {
    pids_.erase(*e.task);
  }
}

void agent_pids::kill_all() const {
  for (const auto& [task, pid] : pids_) ::kill(-pid, SIGKILL);
}

status_claim::status_claim(const fs::path& tasks_file, const std::string& tag, const fs::path& run_dir) {
  std::error_code ec;
  const fs::path target = fs::is_symlink(tasks_file, ec) ? fs::canonical(tasks_file, ec) : tasks_file;
  std::uint64_t h = 14695981039346656037ULL;  // FNV-1a: a tag is untrusted text, never a name
  for (unsigned char c : tag) h = (h ^ c) * 1099511628211ULL;
  const fs::path lock = fmt::format("{}.cohort-status-{:016x}.lock", target.string(), h);
  fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    throw usage_error(fmt::format("--write-status: cannot open {}: {}", lock.string(), std::strerror(errno)));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    char holder[4096] = {};
    const ssize_t n = ::pread(fd_, holder, sizeof holder - 1, 0);
    ::close(fd_);
    std::string who(holder, n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!who.empty() && who.back() == '\n') who.pop_back();
    throw usage_error(fmt::format(
        "another rolling-wave ({}) is writing statuses to {} (tag {}); wait for it to end, or run "
        "without --write-status", cohort::terminal_safe(who.empty() ? "pid unknown" : who),
        tasks_file.string(), cohort::terminal_safe(tag)));
  }
  const std::string me = fmt::format("pid {}, run dir {}\n", ::getpid(), run_dir.string());
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, me.data(), me.size(), 0) < 0) {
    // Held all the same: a second run is refused, only without naming this one.
  }
}

status_claim::~status_claim() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

status_writer::status_writer(boost::asio::any_io_executor ex, const cohort::plan& p,
                             std::filesystem::path file, warn_function warn)
    : ex_(std::move(ex)), plan_(p), file_(std::move(file)), warn_(std::move(warn)), launched_(p.size()),
      retry_(ex_) {}

status_writer::~status_writer() { *alive_ = false; }

void status_writer::on_event(const cohort::event& e) {
  using k = cohort::event_kind;
  if (!e.task) {
    if (e.kind == k::run_finished) {  // the rest is written by finish(), after the loop
      finished_ = true;
      retry_.cancel();
    }
    return;
  }
  const cohort::task_index t = *e.task;
  switch (e.kind) {
    case k::parent_started: queue(t, cohort::task_status::in_progress); break;
    case k::task_launched:  // a resume's first launch of a task is its attempt 2 or later
      if (!launched_[t]) queue(t, cohort::task_status::in_progress);
      launched_[t] = true;
      break;
    case k::task_succeeded: queue(t, cohort::task_status::done); break;
    case k::task_failed:
    case k::task_cancelled: queue(t, cohort::task_status::pending); break;
    default: break;
  }
}

void status_writer::queue(cohort::task_index t, cohort::task_status s) {
  pending_.push_back({plan_.tasks[t].id, s});
  if (posted_) return;
  posted_ = true;
  boost::asio::post(ex_, [this, alive = alive_] {
    if (*alive) flush();
  });
}

// One write for everything queued (the last status of each task); what fails stays queued.
cohort::error_code status_writer::write_pending(int lock_retries) {
  if (pending_.empty()) return {};
  std::vector<cohort::status_change> changes;
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    const bool seen = std::any_of(changes.begin(), changes.end(), [&](const auto& c) { return c.id == it->id; });
    if (!seen) changes.push_back(*it);
  }
  cohort::writeback_options options;
  options.lock_retries = lock_retries;
  cohort::error_code ec;
  const auto n = cohort::set_taskmaster_status(file_, plan_.tag, changes, options, ec);
  if (!ec) {
    written_ += n;
    pending_.clear();
    for (const auto& c : changes) set_[c.id] = c.status;
  }
  return ec;
}

void status_writer::remember(const std::vector<cohort::status_change>& set) {
  for (const auto& c : set) set_[c.id] = c.status;
}

// The statuses this run set that the file no longer holds: written again. False when the file
// cannot be read or written.
bool status_writer::reassert() {
  if (set_.empty()) return true;
  cohort::taskmaster_options o;
  o.tag = plan_.tag;
  const cohort::loaded_plan now = cohort::read_taskmaster(file_, o);
  if (!now.ok()) {
    fmt::print(stderr, "rolling-wave: --write-status: {} cannot be read back to check the statuses\n", file_.string());
    return false;
  }
  std::vector<cohort::status_change> again;
  for (const auto& [id, status] : set_) {
    const auto i = now.plan.find(id);
    if (i && now.plan.tasks[*i].status != status) again.push_back({id, status});
  }
  if (again.empty()) return true;
  cohort::error_code ec;
  (void)cohort::set_taskmaster_status(file_, plan_.tag, again, cohort::writeback_options{}, ec);
  std::string ids;
  for (std::size_t i = 0; i < again.size() && i < 10; ++i) ids += (i ? ", " : "") + cohort::terminal_safe(again[i].id);
  if (again.size() > 10) ids += fmt::format(" and {} more", again.size() - 10);
  if (ec) {
    fmt::print(stderr, "rolling-wave: --write-status: another program reverted {} status(es) this run set ({}), "
                       "and they cannot be written again: {}\n", again.size(), ids, ec.message());
    return false;
  }
  reasserted_ += again.size();
  fmt::print(stderr, "rolling-wave: --write-status: another program reverted {} status(es) this run set ({}) "
                     "while it ran; written again\n", again.size(), ids);
  return true;
}

void status_writer::flush() {
  posted_ = false;
  if (failed_ || finished_) return;
  const auto ec = write_pending(0);
  if (!ec) {
    busy_tries_ = 0;
    return;
  }
  if (ec == boost::system::errc::device_or_resource_busy) {  // taken by another writer: later
    const auto delay = std::chrono::milliseconds(std::min(100 << std::min(busy_tries_++, 4), 1000));
    retry_.expires_after(delay);
    retry_.async_wait([this, alive = alive_](cohort::error_code e) {
      if (!e && *alive) flush();
    });
    return;
  }
  failed_ = true;  // the file cannot be written (gone, unparsable, a full disk): said once
  warn_("--write-status stopped: " + ec.message() + "; the statuses are tried once more at the end");
}

bool status_writer::finish() {
  finished_ = true;
  retry_.cancel();
  std::vector<std::string_view> tasks;
  for (const auto& change : pending_) {
    if (std::find(tasks.begin(), tasks.end(), change.id) == tasks.end()) tasks.push_back(change.id);
  }
  const auto ec = write_pending(cohort::writeback_options{}.lock_retries);
  if (!ec) return reassert();
  const std::string why = ec == boost::system::errc::device_or_resource_busy
                              ? "its lock (" + file_.string() + ".lock) stayed taken by another writer"
                              : ec.message();
  fmt::print(stderr, "rolling-wave: --write-status: the status of {} task(s) was not written to {}: {}\n",
             tasks.size(), file_.string(), why);
  return false;
}

} // namespace rolling_wave
