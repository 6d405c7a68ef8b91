// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// rolling-wave's own observers: the agents' process groups (for a second Ctrl-C) and the
// Task Master status write-back.
#ifndef ROLLING_WAVE_OBSERVERS_HPP
#define ROLLING_WAVE_OBSERVERS_HPP

#include <cohort/run/events.hpp>
#include <cohort/plan/plan.hpp>
#include <cohort/plan/taskmaster_writeback.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rolling_wave {

/// The process groups of the agents running now (each agent leads its own group).
class agent_pids final : public cohort::observer {
public:
  void on_event(const cohort::event& e) override;
  /// SIGKILL to every running agent's group: the second Ctrl-C.
  void kill_all() const;
  std::size_t size() const noexcept { return pids_.size(); }

private:
  std::map<cohort::task_index, int> pids_;
};

/// One rolling-wave at a time writes statuses into one tasks file and tag: held (flock on
/// `<file>.cohort-status-<tag hash>.lock`, beside the file's target) for the life of the run, and
/// released by the kernel when the holder dies. A second one throws `usage_error` naming the
/// holder's pid and run dir.
class status_claim {
public:
  status_claim(const std::filesystem::path& tasks_file, const std::string& tag,
               const std::filesystem::path& run_dir);
  ~status_claim();
  status_claim(const status_claim&) = delete;
  status_claim& operator=(const status_claim&) = delete;

private:
  int fd_ = -1;
};

/// Writes statuses back to the Task Master file as tasks start and finish, like `task-master
/// set-status`: in-progress at its first launch in this run (attempt 1, or a resume's next one;
/// for a parent, when it starts), done on
/// success, pending again when a task failed or was cancelled. Writes are batched and done
/// after the event (posted to the executor), never inside `on_event`, and never wait there: a
/// lock held by someone else (Task Master, an editor's save) keeps the statuses queued and is
/// tried again from a timer. `finish`, after the event loop, writes what is left.
class status_writer final : public cohort::observer {
public:
  using warn_function = std::function<void(const std::string&)>;
  status_writer(boost::asio::any_io_executor ex, const cohort::plan& p, std::filesystem::path file,
                warn_function warn);
  ~status_writer() override;
  void on_event(const cohort::event& e) override;
  /// After the run, off the event loop (it may wait for the lock): writes every status still
  /// queued, then reads the file again and writes once more each status this run set that
  /// another program reverted meanwhile (Task Master's `add-task` writes back the file it read
  /// before taking its lock), saying which. False, with the reason said on stderr, when some
  /// could not be written.
  bool finish();
  /// Statuses set before the run (a resume's, from its journal): re-asserted by `finish` too.
  void remember(const std::vector<cohort::status_change>& set);
  std::size_t written() const noexcept { return written_; }
  std::size_t reasserted() const noexcept { return reasserted_; }

private:
  void queue(cohort::task_index t, cohort::task_status s);
  void flush();  // on the event loop: one try, never a wait
  cohort::error_code write_pending(int lock_retries);
  bool reassert();

  boost::asio::any_io_executor ex_;
  const cohort::plan& plan_;
  std::filesystem::path file_;
  warn_function warn_;
  std::vector<cohort::status_change> pending_;
  std::map<std::string, cohort::task_status> set_;  // every status this run wrote, the last per task
  std::vector<bool> launched_;                       // by task: launched in this run
  std::size_t reasserted_ = 0;
  boost::asio::steady_timer retry_;  // armed while the lock is busy
  int busy_tries_ = 0;
  bool posted_ = false;
  bool failed_ = false;
  bool finished_ = false;  // the run is over: finish() writes the rest
  std::size_t written_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace rolling_wave

#endif // ROLLING_WAVE_OBSERVERS_HPP
