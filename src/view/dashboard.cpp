// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/view/dashboard.hpp>

#include "view/output_queue.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <utility>

#include <sys/ioctl.h>
#include <unistd.h>

namespace cohort {
namespace {

// The terminal's size: TIOCGWINSZ, else $COLUMNS / $LINES, else 80 x 24.
std::pair<std::size_t, std::size_t> terminal_size(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
    return {ws.ws_col, ws.ws_row};
  }
  auto env = [](const char* name, std::size_t fallback) {
    const char* v = std::getenv(name);
    const long n = v ? std::strtol(v, nullptr, 10) : 0;
    return n > 0 ? static_cast<std::size_t>(n) : fallback;
  };
  return {env("COLUMNS", 80), env("LINES", 24)};
}

// The plain style's count of the lines it could not keep.
std::string dropped_line(std::size_t n) {
  return fmt::format("cohort: {} line(s) of this log not shown: its reader did not keep up\n", n);
}

} // namespace

dashboard::dashboard(boost::asio::any_io_executor ex, const plan& p, dashboard_options options)
    : plan_(p),
      options_(std::move(options)),
      live_(options_.style == dashboard_style::live ||
            (options_.style == dashboard_style::automatic && wants_live(options_.fd))),
      timer_(std::move(ex)),
      tasks_(p.size()),
      wave_(waves(p)),
      wave_count_(p.size(), 0),
      current_wave_(p.size(), 0),
      share_(p.size(), 0),
      wall_epoch_(std::chrono::system_clock::now()),
      steady_epoch_(clock_type::now()),
      out_(detail::output_queue::make(timer_.get_executor(), options_.fd, dropped_line)) {
  for (task_index t = 0; t < p.size(); ++t) {
    if (p.tasks[t].parent) {
      auto& n = wave_count_[*p.tasks[t].parent];
      n = std::max(n, wave_[t] + 1);
    }
    const bool done = is_finished(p.tasks[t].status) ||
                      (p.tasks[t].parent && is_finished(p.tasks[*p.tasks[t].parent].status));
    if (done) tasks_[t].st = state::already_done;
    if (!done && p.tasks[t].is_job()) ++jobs_;
  }
  for (const auto& s : options_.shares) {
    if (s.parent < share_.size()) share_[s.parent] = s.tokens;
  }
  if (options_.prediction) {
    for (task_index t = 0; t < p.size() && t < options_.prediction->tasks.size(); ++t) {
      const auto& f = options_.prediction->tasks[t].finish;
      if (f && p.tasks[t].is_job() && tasks_[t].st != state::already_done) predicted_finish_.push_back(f->count());
    }
    std::sort(predicted_finish_.begin(), predicted_finish_.end());
    // Its makespan and its sorted finishes are all the ETA reads: the per-task rest goes.
    predicted_makespan_ = options_.prediction->makespan;
    options_.prediction.reset();
  }
}

dashboard::~dashboard() {
  timer_.cancel();
  out_->close(live_ && drawn_lines_ > 0 && !finished_run_ ? "\x1b[?25h" : "");  // the cursor back
}

bool dashboard::wants_live(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  if (no_color && *no_color) return false;
  if (!term || std::string_view(term) == "dumb" || std::string_view(term).empty()) return false;
  return ::isatty(fd) == 1;
}

void dashboard::on_event(const event& e) {
  apply(e);
  if (!live_) {
    out_->line(plain_line(e) + '\n');
    if (e.kind == event_kind::run_finished) out_->flush();
    return;
  }
  if (e.kind == event_kind::run_started) {
    draw(false);
    schedule_frame();
  } else if (e.kind == event_kind::run_finished) {
    timer_.cancel();
    draw(true);
  }
}

void dashboard::note(std::string text) {
  if (!live_) {
    out_->line(stamp(clock_type::now()) + " note: " + text + '\n');
    out_->flush();  // a warning is not kept waiting
    return;
  }
  notes_.push_back(std::move(text));
  if (notes_.size() > 3) notes_.pop_front();
}

void dashboard::apply(const event& e) {
  if (!e.task) {
    if (e.kind == event_kind::run_started) started_ = last_finish_ = e.at;
    if (e.kind == event_kind::run_finished) finished_run_ = true;
    running_run_ = e.kind == event_kind::run_started;
    return;
  }
  const task_index t = *e.task;
  task_view& v = tasks_[t];
  switch (e.kind) {
    case event_kind::parent_started: v.st = state::running; v.since = e.at; break;
    case event_kind::wave_started: current_wave_[t] = e.wave; break;
    case event_kind::task_ready: v.st = state::ready; v.since = e.at; break;
    case event_kind::task_waiting:
      v.st = state::waiting;
      v.reason = e.reason;
      v.since = e.at;
      // A run-wide pause after a rate limit: said once per pause, with how many agents may run.
      if (e.reason == wait_reason::rate_limit && e.at + e.delay > paused_until_ + std::chrono::seconds(1)) {
        paused_until_ = e.at + e.delay;
        note(fmt::format("rate limited: launches paused for {:.1f} s; then {}",
                         std::chrono::duration<double>(e.delay).count(), e.message));
      }
      break;
    case event_kind::task_queued:
      v.put(&view_text::job, e.job);
      if (e.job_state != "PENDING") break;  // RUNNING: its task_launched follows
      v.st = state::waiting;
      v.reason = wait_reason::queued;
      v.put(&view_text::why, e.message.empty() ? e.job_state : e.job_state + " (" + e.message + ")");
      v.since = e.at;
      break;
    case event_kind::task_launched:
      v.st = state::running; v.since = e.at; v.attempt = e.attempt;
      v.put(&view_text::last_line, {});
      v.agent = true;
      v.put(&view_text::job, e.job);
      v.merge.reset();
      ++running_;
      break;
    case event_kind::task_output: v.put(&view_text::last_line, e.message); break;
    case event_kind::task_merge:
      v.merge = e.merge;
      v.put(&view_text::last_line, merge_text(e.merge, e.branch, e.commit, e.message));
      break;
    case event_kind::task_usage:
      attempt_ended(t, e.at);
      v.tokens += e.tokens;
      tokens_ += e.tokens;
      break;
    case event_kind::task_retry: v.st = state::backoff; v.since = e.at; v.put(&view_text::why, e.message); break;
    case event_kind::task_succeeded: finish_task(e, state::succeeded); break;
    case event_kind::task_failed: finish_task(e, state::failed); break;
    case event_kind::task_skipped: finish_task(e, state::skipped); break;
    case event_kind::task_cancelled: finish_task(e, state::cancelled); break;
    default: break;
  }
}

// An attempt is over (its usage came, or it was cancelled): its agent time counts as work done.
void dashboard::attempt_ended(task_index t, clock_type::time_point at) {
  task_view& v = tasks_[t];
  if (!v.agent) return;
  v.agent = false;
  busy_done_ += at - v.since;
  --running_;
  v.st = state::ready;
  v.since = at;
}

void dashboard::finish_task(const event& e, state s) {
  const task_index t = *e.task;
  attempt_ended(t, e.at);
  task_view& v = tasks_[t];
  const bool counted = v.st == state::succeeded || v.st == state::failed ||
                       v.st == state::skipped || v.st == state::cancelled ||
                       v.st == state::already_done;
  v.st = s;
  v.since = e.at;
  // An ended task shows only its reason: the rest of its texts go.
  if (e.message.empty()) v.text.reset();
  else v.text = view_text{{}, e.message, {}};
  if (counted || !plan_.tasks[t].is_job()) return;
  ++jobs_finished_;
  last_finish_ = e.at;
  if (s == state::failed) ++failed_;
}

void dashboard::schedule_frame() {
  timer_.expires_after(options_.refresh);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || finished_run_) return;  // cancelled: `this` may be gone
    draw(false);
    schedule_frame();
  });
}

// One frame, one write: back to the frame's first line, every line cleared to its end, the rest
// of the old frame cleared when the new one is shorter. A terminal that takes no more (paused
// with Ctrl-S, a stalled link) is never waited for: the frame waits with the plain style's
// lines, and the frames that come meanwhile are skipped (the next one after it is out shows what
// is then true). Every frame goes out whole, so `drawn_lines_` is where the cursor will be.
void dashboard::draw(bool last) {
  if (!last && !out_->idle()) return;
  const auto [width, height] = terminal_size(options_.fd);
  const auto lines = frame(width, height, clock_type::now());
  std::string out = drawn_lines_ > 0 ? "\r\x1b[" + std::to_string(drawn_lines_) + "A" : "\x1b[?25l";
  for (const auto& line : lines) out += colorize(line) + "\x1b[K\n";
  if (lines.size() < drawn_lines_) out += "\x1b[J";
  if (last) out += "\x1b[?25h";
  if (out_->frame(out, last)) drawn_lines_ = lines.size();
}

} // namespace cohort
