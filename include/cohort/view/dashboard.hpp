// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_VIEW_DASHBOARD_HPP
#define COHORT_VIEW_DASHBOARD_HPP

#include <cohort/analysis/analysis.hpp>
#include <cohort/core/boxed.hpp>
#include <cohort/core/config.hpp>
#include <cohort/run/events.hpp>
#include <cohort/plan/plan.hpp>
#include <cohort/analysis/simulation.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohort {
namespace detail {
class output_queue;
} // namespace detail

/// How the dashboard shows a run.
enum class dashboard_style {
  automatic,  ///< `live` on a terminal, `plain` when not a TTY, `NO_COLOR` is set or `TERM=dumb`
  live,       ///< a frame redrawn in place a few times a second (ANSI escape codes)
  plain,      ///< one timestamped line per event, no escape code at all
};

/// What the dashboard knows besides the events: all given at construction, none computed here.
struct dashboard_options {
  // tag::outline[]
  int fd = 1;  ///< where to write (standard output)
  dashboard_style style = dashboard_style::automatic;
  std::chrono::milliseconds refresh{250};  ///< live: time between frames
  /// The prediction for the ETA (simulation.hpp, run with the same schedule_options); none:
  /// no ETA. Its times are estimates; `time_scale` turns them into wall time.
  std::optional<simulation_result> prediction;
  double time_scale = 1.0;
  std::uint64_t token_budget = 0;     ///< shown against the tokens used; 0: no budget
  std::vector<budget_share> shares;   ///< per-parent budgets (analysis' split_budget)
  std::size_t max_running = 0;        ///< shown as "running 5/8"; 0: not shown
  std::string title = "cohort";
  bool unicode = true;                ///< icons and bars in UTF-8 (else ASCII)
  // end::outline[]
};

/// The live view of a run: an observer that only reads events (it knows no scheduling).
/**
 * Live style: the tree parent -> wave -> agent with state icons, each agent's elapsed time and
 * last output line, each waiting task's reason, tokens used against the budget (total and per
 * parent), progress, the ETA (the prediction's remaining time, stretched or shrunk by how the
 * finished jobs kept to it) and the time saved against running the same agents one after
 * another. Redrawn by a timer on the run's executor (no thread), in one `write` per frame: cursor
 * up, each line followed by clear-to-end-of-line, never longer than the terminal is wide, never
 * taller than it is high. Plain style: one timestamped line per event; the lines of one turn of
 * the event loop go out in one `write` at its end (posted to the executor), and also at the run's
 * end and on a note. An output that takes no more (a pipe whose reader stopped reading, a
 * terminal paused with Ctrl-S) is never waited for on the event loop: what it did not take
 * waits, written as it takes it (a timer on the executor tries again). Plain lines past 1 MiB
 * are counted, and a line says how many were not shown; live frames that come while one waits
 * are skipped, and each frame goes out whole. The destructor writes what is left, waiting for
 * the output if it must.
 *
 * The dashboard must outlive the run (or be destroyed before the executor runs again).
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: unsafe: one dashboard per run, on that run's strand
 * (as every observer is called); its timer should run on the same executor.
 */
class dashboard final : public observer {
public:
  using clock_type = event::clock_type;

  // tag::outline[]
  /// Shows the run of `p` (which must outlive the dashboard) on `ex`'s timer.
  dashboard(boost::asio::any_io_executor ex, const plan& p, dashboard_options options);
  ~dashboard() override;

  void on_event(const event& e) override;
  /// A message for the person watching (a warning from the driver): a line in plain style, the
  /// frame's footer (the last three) in live style.
  void note(std::string text);
  bool is_live() const noexcept { return live_; }

  /// The live frame as text lines (no escape codes), at most `height - 1` lines of at most
  /// `width - 1` columns. For tests, and for hosts that draw it themselves.
  std::vector<std::string> frame(std::size_t width, std::size_t height, clock_type::time_point now) const;
  /// What plain style prints for `e` (no newline).
  std::string plain_line(const event& e) const;
  /// The live style's choice for `fd` under `dashboard_style::automatic`.
  static bool wants_live(int fd);
  // end::outline[]

private:
  enum class state : std::uint8_t { pending, waiting, ready, running, backoff, succeeded, failed,
                                    skipped, cancelled, already_done };
  // A task's texts: made when one is first set, let go when it ends without a reason (a run of
  // 10,000 tasks holds those of the few that run, not 10,000 sets of three strings).
  struct view_text {
    std::string last_line;
    std::string why;  // failure, skip or retry reason; a queued job's state and reason
    std::string job;  // the attempt's job in a cluster (empty: a local agent)
  };
  struct task_view {
    state st = state::pending;
    wait_reason reason{};
    std::optional<merge_state> merge;  // the attempt's work, in an isolating launcher
    bool agent = false;  // an attempt's agent is running
    int attempt = 0;
    clock_type::time_point since{};  // of the current state
    std::uint64_t tokens = 0;
    boxed<view_text> text;

    // Sets one of its texts; an empty one makes nothing.
    void put(std::string view_text::*field, std::string_view value) {
      if (!value.empty() || text.has_value()) text.edit().*field = value;
    }
  };

  static std::string merge_text(merge_state s, std::string_view branch, std::string_view commit,
                                std::string_view detail);
  void apply(const event& e);
  clock_type::time_point paused_until_{};  // the end of the last rate-limit pause noted
  void finish_task(const event& e, state s);
  void attempt_ended(task_index t, clock_type::time_point at);
  void schedule_frame();
  void draw(bool last);

  // Frame parts (dashboard_text.cpp).
  std::vector<std::string> header(clock_type::time_point now) const;
  std::vector<std::string> parent_block(task_index p, clock_type::time_point now) const;
  std::string parent_line(task_index p, clock_type::time_point now) const;
  std::string agent_line(task_index t, clock_type::time_point now) const;
  std::string summary_line(const std::vector<task_index>& parents, std::string_view icon,
                           std::string_view what) const;
  std::string icon(state s) const;
  std::string colorize(const std::string& line) const;
  std::optional<std::chrono::milliseconds> eta(clock_type::time_point now) const;
  std::chrono::milliseconds busy(clock_type::time_point now) const;
  std::string stamp(clock_type::time_point t) const;
  bool is_active(task_index p) const;

  const plan& plan_;
  dashboard_options options_;
  bool live_;
  boost::asio::steady_timer timer_;
  std::vector<task_view> tasks_;
  std::vector<std::size_t> wave_;           // per task: its wave (analysis' waves())
  std::vector<std::size_t> wave_count_;     // per parent
  std::vector<std::size_t> current_wave_;   // per parent (waves mode)
  std::vector<std::uint64_t> share_;        // per parent: its budget share; 0: none
  std::vector<std::int64_t> predicted_finish_;  // sorted, ms of estimate, jobs to run
  std::optional<std::chrono::milliseconds> predicted_makespan_;  // the prediction's (none: no ETA)
  std::size_t jobs_ = 0, jobs_finished_ = 0, failed_ = 0;
  std::size_t running_ = 0;
  std::uint64_t tokens_ = 0;
  std::chrono::nanoseconds busy_done_{0};    // agent time of ended attempts
  clock_type::time_point started_{}, last_finish_{};
  std::chrono::system_clock::time_point wall_epoch_;  // system time at `steady_epoch_`
  clock_type::time_point steady_epoch_;
  // The plain style's last stamped second and its "HH:MM:SS": one local-time conversion a
  // second, not one a line (set by `stamp`, on the run's strand like every other member).
  mutable std::time_t stamped_second_ = -1;
  mutable std::string stamped_clock_;
  bool running_run_ = false, finished_run_ = false;
  std::size_t drawn_lines_ = 0;
  std::deque<std::string> notes_;
  std::shared_ptr<detail::output_queue> out_;  // shared with its posted write: it may outlive `this`
};

} // namespace cohort

#endif // COHORT_VIEW_DASHBOARD_HPP
