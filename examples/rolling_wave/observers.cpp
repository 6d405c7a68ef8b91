// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "observers.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <csignal>

namespace rolling_wave {

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

status_writer::status_writer(boost::asio::any_io_executor ex, const cohort::plan& p,
                             std::filesystem::path file, warn_function warn)
    : ex_(std::move(ex)), plan_(p), file_(std::move(file)), warn_(std::move(warn)) {}

status_writer::~status_writer() { *alive_ = false; }

void status_writer::on_event(const cohort::event& e) {
  using k = cohort::event_kind;
  if (!e.task) {
    if (e.kind == k::run_finished) flush();  // the last statuses, before the report
    return;
  }
  const cohort::task_index t = *e.task;
  switch (e.kind) {
    case k::parent_started: queue(t, cohort::task_status::in_progress); break;
    case k::task_launched:
      if (e.attempt == 1) queue(t, cohort::task_status::in_progress);
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

// One write for everything queued; a failure is told once and stops the write-back.
void status_writer::flush() {
  posted_ = false;
  if (pending_.empty() || failed_) return;
  std::vector<cohort::status_change> changes;  // the last status of each task only
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    const bool seen = std::any_of(changes.begin(), changes.end(), [&](const auto& c) { return c.id == it->id; });
    if (!seen) changes.push_back(*it);
  }
  pending_.clear();
  cohort::error_code ec;
  written_ += cohort::set_taskmaster_status(file_, plan_.tag, changes, {}, ec);
  if (ec) {
    failed_ = true;
    warn_("--write-status stopped: " + ec.message());
  }
}

} // namespace rolling_wave
