// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/view/report.hpp>

#include <cohort/view/terminal_text.hpp>

#include <cohort/view/render.hpp>

#include "common/number_text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <fmt/format.h>

#include <chrono>
#include <algorithm>
#include <optional>
#include <vector>

namespace cohort {

using std::chrono::milliseconds;
namespace {

using std::chrono::milliseconds;
using time_point = event::clock_type::time_point;

bool launched(const task_report& t) noexcept { return t.attempts > 0; }

milliseconds since(time_point start, time_point t) {
  return std::chrono::duration_cast<milliseconds>(t - start);
}

// A parent with subtasks starts with its first subtask's launch.
std::optional<time_point> start_of(const plan& p, const run_report& r, task_index t) {
  if (p.tasks[t].subtasks.empty()) {
    if (!launched(r.tasks[t])) return std::nullopt;
    return r.tasks[t].started;
  }
  std::optional<time_point> first;
  for (task_index s : p.tasks[t].subtasks) {
    const auto st = start_of(p, r, s);
    if (st && (!first || *st < *first)) first = st;
  }
  return first;
}

std::uint64_t tokens_of(const plan& p, const run_report& r, task_index t) {
  std::uint64_t n = r.tasks[t].tokens;
  for (task_index s : p.tasks[t].subtasks) n += r.tasks[s].tokens;
  return n;
}

// "1:02.5": minutes, seconds and tenths from the run's start.
std::string run_clock_text(milliseconds d) {
  const auto tenths = std::max<milliseconds::rep>(0, d.count()) / 100;
  return fmt::format("{}:{:02}.{}", tenths / 600, tenths / 10 % 60, tenths % 10);
}

using detail::thousands;

std::string clip(const std::string& s, std::size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 1) + "~";
}

void count(run_summary& s, task_outcome o) {
  switch (o) {
    case task_outcome::succeeded: ++s.succeeded; break;
    case task_outcome::failed: ++s.failed; break;
    case task_outcome::skipped: ++s.skipped; break;
    case task_outcome::cancelled: ++s.cancelled; break;
    case task_outcome::already_done: ++s.already_done; break;
    case task_outcome::pending: break;
  }
}

std::string row(const plan& p, const run_report& r, task_index t) {
  const task_report& tr = r.tasks[t];
  const auto start = start_of(p, r, t);
  const bool sub = !p.tasks[t].is_parent();
  std::string times = "       -        -         -";
  if (start) {
    times = fmt::format("{:>8} {:>8} {:>9}", run_clock_text(since(r.started, *start)),
                        run_clock_text(since(r.started, tr.finished)),
                        format_duration(since(*start, tr.finished)));
  }
  std::string line = fmt::format("{:<8} {:<34} {:<10} {:>3} {:>10} {}",
                                 clip((sub ? "  " : "") + terminal_safe(p.tasks[t].id), 8),
                                 clip(terminal_safe(p.tasks[t].title), 34), to_string(tr.outcome),
                                 p.tasks[t].is_job() ? std::to_string(tr.attempts) : "",
                                 thousands(tokens_of(p, r, t)), times);
  if (!tr.reason.empty()) line += "  " + terminal_safe(tr.reason);
  return line + '\n';
}

void rows_of(const plan& p, const run_report& r, task_index parent, std::string& out) {
  if (r.tasks[parent].outcome == task_outcome::already_done) return;
  out += row(p, r, parent);
  for (task_index s : p.tasks[parent].subtasks) {
    if (r.tasks[s].outcome != task_outcome::already_done) out += row(p, r, s);
  }
}

std::string totals_text(const run_summary& s) {
  std::string out = fmt::format(
      "{} jobs: {} succeeded, {} failed, {} skipped, {} cancelled; {} already done before the run\n",
      s.succeeded + s.failed + s.skipped + s.cancelled, s.succeeded, s.failed, s.skipped,
      s.cancelled, s.already_done);
  out += fmt::format("{} launches, {} tokens{}{}, at most {} agents at once{}\n", s.launches,
                     thousands(s.tokens), s.cost_usd > 0 ? fmt::format(", ${:.4f}", s.cost_usd) : std::string(),
                     s.unknown_usage > 0 ? fmt::format(" ({} attempt(s) reported no usage: their reservation counted)",
                                                       s.unknown_usage)
                                         : std::string(),
                     s.peak_running, s.interrupted ? " (interrupted)" : "");
  out += fmt::format("wall time {}; the same agents one after another: {}; speedup {:.1f}x\n",
                     format_duration(s.actual), format_duration(s.sequential), s.speedup);
  if (s.rate_limit_pauses > 0) out += fmt::format("rate limits paused the run {} time(s)\n", s.rate_limit_pauses);
  if (!s.stopped.empty()) out += "the run stopped: " + terminal_safe(s.stopped) + '\n';
  return out;
}

boost::json::value time_value(const run_report& r, std::optional<time_point> t) {
  if (!t) return nullptr;
  return since(r.started, *t).count();
}

} // namespace

run_recorder::run_recorder(const plan& p) : plan_(p), running_(p.size(), 0) {
  report_.tasks.resize(p.size());
  for (task_index t = 0; t < p.size(); ++t) {
    const auto& task = p.tasks[t];
    if (is_finished(task.status) || (task.parent && is_finished(p.tasks[*task.parent].status))) {
      report_.tasks[t].outcome = task_outcome::already_done;
    }
  }
}

void run_recorder::on_event(const event& e) {
  if (!e.task) {
    (e.kind == event_kind::run_started ? report_.started : report_.finished) = e.at;
    return;
  }
  task_report& t = report_.tasks[*e.task];
  switch (e.kind) {
    case event_kind::task_launched:
      t.attempts = e.attempt;
      // Its first launch in this run: attempt 1, or the one after a dead run's (a resume).
      if (t.started == time_point{}) t.started = e.at;
      running_[*e.task] = 1;
      report_.peak_running = std::max(report_.peak_running, ++now_running_);
      break;
    case event_kind::task_usage:
      t.tokens += e.tokens;
      report_.tokens_spent += e.tokens;
      report_.cost_usd += e.cost_usd;
      if (!e.usage_known) ++report_.unknown_usage;
      if (running_[*e.task]) --now_running_;
      running_[*e.task] = 0;
      break;
    case event_kind::task_merge: t.record_merge(e); break;
    case event_kind::task_queued: t.record_queued(e); break;
    case event_kind::task_succeeded: outcome(e, task_outcome::succeeded); break;
    case event_kind::task_failed: outcome(e, task_outcome::failed); break;
    case event_kind::task_skipped: outcome(e, task_outcome::skipped); break;
    case event_kind::task_cancelled: outcome(e, task_outcome::cancelled); break;
    default: break;
  }
}

void run_recorder::outcome(const event& e, task_outcome o) {
  task_report& t = report_.tasks[*e.task];
  t.outcome = o;
  t.finished = e.at;
  t.reason = e.message;
  if (running_[*e.task]) --now_running_;
  running_[*e.task] = 0;
}

run_summary summarize(const plan& p, const run_report& r) {
  run_summary s;
  s.actual = since(r.started, r.finished);
  s.tokens = r.tokens_spent;
  s.peak_running = r.peak_running;
  s.interrupted = r.cancelled;
  s.rate_limit_pauses = r.rate_limit_pauses;
  s.cost_usd = r.cost_usd;
  s.unknown_usage = r.unknown_usage;
  s.stopped = r.stopped;
  for (task_index t = 0; t < r.tasks.size() && t < p.size(); ++t) {
    if (!p.tasks[t].is_job()) continue;
    const task_report& tr = r.tasks[t];
    count(s, tr.outcome);
    s.launches += static_cast<std::size_t>(tr.attempts);
    if (!launched(tr)) continue;
    ++s.jobs_run;
    s.sequential += since(tr.started, tr.finished);
  }
  if (s.actual.count() > 0 && s.jobs_run > 0) {
    s.speedup = static_cast<double>(s.sequential.count()) / static_cast<double>(s.actual.count());
  }
  return s;
}

std::string render_text(const plan& p, const run_report& r) {
  std::string out = fmt::format("{:<8} {:<34} {:<10} {:>3} {:>10} {:>8} {:>8} {:>9}\n", "task",
                                "title", "outcome", "try", "tokens", "start", "end", "time");
  out.reserve(out.size() + 100 * p.size() + 512);  // a row is ~95 bytes: one allocation, no copy
  for (task_index q : p.parents) rows_of(p, r, q, out);
  out += '\n';
  out += totals_text(summarize(p, r));
  return out;
}

boost::json::value render_json(const plan& p, const run_report& r) {
  const run_summary s = summarize(p, r);
  boost::json::array tasks;
  for (task_index t = 0; t < r.tasks.size() && t < p.size(); ++t) {
    const task_report& tr = r.tasks[t];
    const auto start = start_of(p, r, t);
    tasks.push_back(boost::json::object{
        {"id", p.tasks[t].id},
        {"title", p.tasks[t].title},
        {"outcome", to_string(tr.outcome)},
        {"attempts", tr.attempts},
        {"tokens", tokens_of(p, r, t)},
        {"start_ms", time_value(r, start)},
        {"end_ms", tr.outcome == task_outcome::already_done ? nullptr : time_value(r, tr.finished)},
        {"reason", tr.reason}});
    const task_placement& where = *tr.placement;
    if (!where.branch.empty()) {
      auto& o = tasks.back().as_object();
      o["merge"] = to_string(where.merge);
      o["branch"] = where.branch;
      o["commit"] = where.commit;
      o["conflicts"] = where.conflicts;
    }
    if (!where.job.empty()) tasks.back().as_object()["job"] = where.job;
  }
  boost::json::object summary{
      {"actual_ms", s.actual.count()}, {"sequential_ms", s.sequential.count()},
      {"speedup", s.speedup},          {"jobs_run", s.jobs_run},
      {"succeeded", s.succeeded},      {"failed", s.failed},
      {"skipped", s.skipped},          {"cancelled", s.cancelled},
      {"already_done", s.already_done}, {"launches", s.launches},
      {"tokens", s.tokens},            {"peak_running", s.peak_running},
      {"interrupted", s.interrupted},  {"rate_limit_pauses", s.rate_limit_pauses},
      {"cost_usd", s.cost_usd},        {"unknown_usage", s.unknown_usage},
      {"stopped", s.stopped}};
  return boost::json::object{{"summary", std::move(summary)}, {"tasks", std::move(tasks)}};
}

} // namespace cohort
