// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// The dashboard's text: the live frame and the plain lines. No I/O here.
#include <cohort/view/dashboard.hpp>

#include "common/number_text.hpp"
#include "common/text_width.hpp"

#include <cohort/view/terminal_text.hpp>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <algorithm>
#include <array>
#include <map>
#include <span>
#include <string_view>

namespace cohort {

using std::chrono::milliseconds;
namespace {

using std::chrono::milliseconds;
using clock_type = dashboard::clock_type;

milliseconds ms(clock_type::duration d) {
  return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(d));
}

// `s` cut to `width` columns (wide characters take two), the cut marked.
std::string fit(const std::string& s, std::size_t width, bool unicode) {
  return detail::fit_columns(s, width, unicode ? "\u2026" : "~");
}

// `s` fitted to exactly `width` columns.
// Plan text (an id, a title) in `width` columns, made safe for the terminal first.
std::string pad(const std::string& s, std::size_t width, bool unicode) {
  std::string out = fit(terminal_safe(s), width, unicode);
  out.append(width - std::min(width, detail::display_width(out)), ' ');
  return out;
}

using detail::thousands;

// "0:07", "12:30", "1:02:03".
std::string wall_clock_text(milliseconds d) {
  const auto s = d.count() / 1000;
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

// An agent's elapsed time: "4.2s" under a minute, else "3:05".
std::string elapsed_text(milliseconds d) {
  if (d.count() < 60'000) return fmt::format("{:.1f}s", static_cast<double>(d.count()) / 1000);
  return wall_clock_text(d);
}

// An agent's output line made safe for a terminal: only what follows the last carriage return,
// without its CSI sequences (colours), through terminal_safe, trimmed.
std::string sanitize(std::string_view line) {
  if (auto cr = line.rfind('\r'); cr != std::string_view::npos) line.remove_prefix(cr + 1);
  std::string plain;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
      i += 2;
      while (i < line.size() && (line[i] < 0x40 || line[i] > 0x7e)) ++i;
      continue;
    }
    plain += line[i];
  }
  std::string out = terminal_safe(plain);
  const auto first = out.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

std::string bar(double fraction, std::size_t width, bool unicode) {
  const auto full = static_cast<std::size_t>(std::clamp(fraction, 0.0, 1.0) * static_cast<double>(width));
  std::string out;
  for (std::size_t i = 0; i < width; ++i) out += i < full ? (unicode ? "\u2588" : "#") : (unicode ? "\u2591" : ".");
  return out;
}

std::string id_list(const plan& p, std::span<const task_index> ts) {
  std::string out;
  for (task_index t : ts) {
    if (!out.empty()) out += ' ';
    out += terminal_safe(p.tasks[t].id);
  }
  return out;
}

} // namespace

std::string dashboard::icon(state s) const {
  static constexpr std::array<std::string_view, 10> utf8{
      "\u00b7", "\u25cb", "\u25c7", "\u25ba", "\u21bb", "\u2713", "\u2717", "\u2298", "\u25a0", "\u2713"};
  static constexpr std::array<std::string_view, 10> ascii{".", "o", "-", ">", "@", "+", "x", "/", "#", "+"};
  return std::string((options_.unicode ? utf8 : ascii)[static_cast<std::size_t>(s)]);
}

// The icon that starts a line (after its indentation) gets its color; the first line is bold.
std::string dashboard::colorize(const std::string& line) const {
  static constexpr std::array<std::pair<state, const char*>, 7> colors{{
      {state::running, "36"}, {state::waiting, "33"}, {state::backoff, "35"}, {state::succeeded, "32"},
      {state::failed, "31"}, {state::skipped, "90"}, {state::cancelled, "31"}}};
  const std::size_t at = line.find_first_not_of(' ');
  if (at == std::string::npos) return line;
  for (const auto& [s, code] : colors) {
    const std::string i = icon(s);
    if (line.compare(at, i.size(), i) == 0 && line.size() > at + i.size() && line[at + i.size()] == ' ') {
      return line.substr(0, at) + "\x1b[" + code + "m" + i + "\x1b[0m" + line.substr(at + i.size());
    }
  }
  return line;
}

bool dashboard::is_active(task_index p) const {
  const state s = tasks_[p].st;
  return s == state::running || s == state::ready || s == state::backoff ||
         (s == state::waiting && tasks_[p].reason != wait_reason::dependency);
}

milliseconds dashboard::busy(clock_type::time_point now) const {
  auto total = busy_done_;
  for (const auto& v : tasks_) {
    if (v.agent) total += now - v.since;
  }
  return ms(total);
}

// The prediction's remaining time, scaled by how late or early the finished jobs came: after k
// jobs, the k-th predicted finish is compared with the k-th actual one.
std::optional<milliseconds> dashboard::eta(clock_type::time_point now) const {
  if (!predicted_makespan_) return std::nullopt;
  const double scale = options_.time_scale;
  const double makespan = static_cast<double>(predicted_makespan_->count()) * scale;
  const std::size_t k = std::min(jobs_finished_, predicted_finish_.size());
  double ratio = 1, predicted_then = 0;
  if (k > 0) {
    predicted_then = static_cast<double>(predicted_finish_[k - 1]) * scale;
    const double actual_then = static_cast<double>(ms(last_finish_ - started_).count());
    if (predicted_then > 0) ratio = std::clamp(actual_then / predicted_then, 0.2, 5.0);
  }
  const double since_then = static_cast<double>(ms(now - (k > 0 ? last_finish_ : started_)).count());
  const double left = (makespan - predicted_then) * ratio - since_then;
  return milliseconds(static_cast<milliseconds::rep>(std::max(0.0, left)));
}

std::vector<std::string> dashboard::header(clock_type::time_point now) const {
  const bool u = options_.unicode;
  const auto elapsed = ms((running_run_ || finished_run_ ? now : started_) - started_);
  const auto work = busy(now);
  std::string l1 = fmt::format("{}  {}  elapsed {}", terminal_safe(options_.title), u ? "\u00b7" : "-", wall_clock_text(elapsed));
  if (finished_run_) l1 += "  finished";
  else if (auto left = eta(now)) l1 += fmt::format("  ETA {}", wall_clock_text(*left));
  const double done = jobs_ ? static_cast<double>(jobs_finished_) / static_cast<double>(jobs_) : 1.0;
  std::string l2 = fmt::format("[{}] {}/{} jobs {:3.0f}%", bar(done, 24, u), jobs_finished_, jobs_, done * 100);
  if (elapsed.count() > 0 && work > elapsed) {
    l2 += fmt::format("  saved {} vs one at a time ({:.1f}x)", wall_clock_text(work - elapsed),
                      static_cast<double>(work.count()) / static_cast<double>(elapsed.count()));
  }
  std::map<std::string_view, std::size_t> waiting;
  for (const auto& v : tasks_) {
    if (v.st == state::waiting && v.reason != wait_reason::dependency) ++waiting[to_string(v.reason)];
    if (v.st == state::backoff) ++waiting["backoff"];
  }
  std::string l3 = options_.max_running ? fmt::format("agents {}/{}", running_, options_.max_running)
                                        : fmt::format("agents {}", running_);
  std::string reasons;
  std::size_t waiters = 0;
  for (const auto& [why, n] : waiting) {
    reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", n, why);
    waiters += n;
  }
  if (waiters) l3 += fmt::format("  waiting {} ({})", waiters, reasons);
  l3 += fmt::format("  tokens {}", thousands(tokens_));
  if (options_.token_budget) {
    l3 += fmt::format(" / {} ({:.0f}%)", thousands(options_.token_budget),
                      100.0 * static_cast<double>(tokens_) / static_cast<double>(options_.token_budget));
  }
  if (failed_) l3 += fmt::format("  {} failed", failed_);
  return {l1, l2, l3};
}

std::string dashboard::agent_line(task_index t, clock_type::time_point now) const {
  const task_view& v = tasks_[t];
  const view_text& said = *v.text;
  const bool u = options_.unicode;
  std::string text = fmt::format("{} {} {} {:>6}  ", icon(v.st), pad(plan_.tasks[t].id, 6, u),
                                 pad(plan_.tasks[t].title, 30, u), elapsed_text(ms(now - v.since)));
  switch (v.st) {
    case state::running:
      if (!said.job.empty()) text += fmt::format("job {} ", sanitize(said.job));
      if (v.attempt > 1) text += fmt::format("try {} ", v.attempt);
      if (v.merge) return text + fmt::format("[{}] ", to_string(*v.merge)) + sanitize(said.last_line);
      return text + sanitize(said.last_line);
    case state::waiting:
      if (v.reason == wait_reason::queued) return text + fmt::format("queued: job {} {}", sanitize(said.job), sanitize(said.why));
      return text + "waiting: " + std::string(to_string(v.reason));
    case state::ready: return text + "ready";
    case state::backoff: return text + "retry after: " + sanitize(said.why);
    case state::failed: return text + "failed: " + sanitize(said.why);
    default: return text + sanitize(said.why);
  }
}

std::string dashboard::parent_line(task_index p, clock_type::time_point now) const {
  const task_view& v = tasks_[p];
  const auto& task = plan_.tasks[p];
  if (task.subtasks.empty() && is_active(p)) return agent_line(p, now);
  std::size_t done = 0;
  std::uint64_t tokens = v.tokens;
  for (task_index s : task.subtasks) {
    const state st = tasks_[s].st;
    done += st == state::succeeded || st == state::already_done;
    tokens += tasks_[s].tokens;
  }
  const bool u = options_.unicode;
  const bool later = v.st == state::pending || (v.st == state::waiting && v.reason == wait_reason::dependency);
  const std::string open = is_active(p) ? (u ? "\u25be" : "v") : icon(later ? state::pending : v.st);
  std::string text = fmt::format("{} {} {}  ", open, pad(task.id, 4, u), pad(task.title, 30, u));
  if (!task.subtasks.empty()) text += fmt::format("{}/{} done", done, task.subtasks.size());
  if (v.st == state::running && wave_count_[p] > 1) {
    text += fmt::format("  wave {}/{}", current_wave_[p] + 1, wave_count_[p]);
  }
  if (later && share_[p]) text += fmt::format("  budget {}", thousands(share_[p]));
  if (!later && (tokens || share_[p])) text += fmt::format("  tokens {}", thousands(tokens));
  if (!later && share_[p]) text += fmt::format(" / {}", thousands(share_[p]));
  if (later) {
    text += "  after " + id_list(plan_, task.dependencies);
  } else if (v.st == state::waiting) {
    text += "  waiting: " + std::string(to_string(v.reason));
  } else if (!v.text->why.empty()) {
    text += "  " + sanitize(v.text->why);
  }
  return text;
}

// A parent at work: its line, then each wave with something going on and that wave's agents.
std::vector<std::string> dashboard::parent_block(task_index p, clock_type::time_point now) const {
  std::vector<std::string> out{parent_line(p, now)};
  const auto& task = plan_.tasks[p];
  for (std::size_t w = 0; w < wave_count_[p]; ++w) {
    std::vector<task_index> shown;
    std::size_t done = 0, later = 0, total = 0;
    for (task_index s : task.subtasks) {
      if (wave_[s] != w) continue;
      ++total;
      const state st = tasks_[s].st;
      if (st == state::succeeded || st == state::already_done) ++done;
      else if (st == state::pending || (st == state::waiting && tasks_[s].reason == wait_reason::dependency)) ++later;
      else if (st != state::skipped && st != state::cancelled) shown.push_back(s);
    }
    if (shown.empty()) continue;
    std::string line = fmt::format("    wave {}/{}: {}/{} done", w + 1, wave_count_[p], done, total);
    if (later) line += fmt::format(", {} after dependencies", later);
    out.push_back(std::move(line));
    for (task_index s : shown) out.push_back("      " + agent_line(s, now));
  }
  return out;
}

std::string dashboard::summary_line(const std::vector<task_index>& parents, std::string_view mark,
                                    std::string_view what) const {
  if (parents.empty()) return {};
  return fmt::format("{} {} {}: {}", mark, parents.size(), what, id_list(plan_, parents));
}

std::vector<std::string> dashboard::frame(std::size_t width, std::size_t height,
                                          clock_type::time_point now) const {
  const std::size_t w = std::max<std::size_t>(width, 20) - 1;
  const std::size_t h = std::max<std::size_t>(height, 8) - 1;
  std::vector<std::string> out = header(now);
  out.emplace_back();
  std::vector<std::vector<std::string>> blocks;
  std::vector<task_index> done, pending, failed;
  std::size_t all_lines = 0;
  for (task_index p : plan_.parents) {
    blocks.push_back(is_active(p) ? parent_block(p, now) : std::vector<std::string>{parent_line(p, now)});
    all_lines += blocks.back().size();
    const state s = tasks_[p].st;
    if (is_active(p)) continue;
    if (s == state::succeeded || s == state::already_done) done.push_back(p);
    else if (s == state::pending || s == state::waiting) pending.push_back(p);
    else failed.push_back(p);
  }
  const std::size_t room = h - std::min(h, out.size() + notes_.size());
  if (all_lines <= room) {
    for (auto& b : blocks) out.insert(out.end(), b.begin(), b.end());
  } else {
    std::vector<std::string> summary;
    for (auto line : {summary_line(failed, icon(state::failed), "failed or skipped"),
                      summary_line(done, icon(state::succeeded), "done"),
                      summary_line(pending, icon(state::pending), "pending")}) {
      if (!line.empty()) summary.push_back(std::move(line));
    }
    const std::size_t limit = out.size() + room - std::min(room, summary.size());
    std::size_t hidden = 0;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      if (!is_active(plan_.parents[i])) continue;
      for (auto& line : blocks[i]) {
        if (out.size() + 1 < limit) out.push_back(std::move(line));
        else ++hidden;
      }
    }
    if (hidden) out.push_back(fmt::format("  ... {} more lines", hidden));
    out.insert(out.end(), summary.begin(), summary.end());
  }
  for (const auto& n : notes_) out.push_back("note: " + sanitize(n));
  if (out.size() > h) out.resize(h);
  for (auto& line : out) line = fit(line, w, options_.unicode);
  return out;
}

std::string dashboard::stamp(clock_type::time_point t) const {
  const auto wall = wall_epoch_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(t - steady_epoch_);
  const auto millis = std::chrono::duration_cast<milliseconds>(wall.time_since_epoch()).count() % 1000;
  const std::time_t second = std::chrono::system_clock::to_time_t(wall);
  if (second != stamped_second_) {
    stamped_clock_ = fmt::format("{:%H:%M:%S}", fmt::localtime(second));
    stamped_second_ = second;
  }
  return fmt::format("{}.{:03}", stamped_clock_, millis);
}

// A step with a job's work, for people: the state, then what it concerns.
std::string dashboard::merge_text(merge_state s, std::string_view branch, std::string_view commit,
                                  std::string_view detail) {
  const std::string id = sanitize(commit.substr(0, 12));
  const std::string on = sanitize(branch);
  const std::string more = sanitize(detail);
  switch (s) {
    case merge_state::merging: return fmt::format("committed {} on {}; merging {}", id, on, more);
    case merge_state::merged:
      return fmt::format("merged into {} ({}){}", on, id, more.empty() ? "" : ": " + more);
    case merge_state::conflict: return fmt::format("conflict merging {} ({}) in: {}", on, id, more);
    case merge_state::retrying: return "running again after a conflict: " + more;
    case merge_state::checked: return fmt::format("passed on {} ({})", on, id);
    case merge_state::kept: return fmt::format("failed; branch {} and worktree {} kept", on, more);
  }
  return "merge";
}

std::string dashboard::plain_line(const event& e) const {
  std::string text = stamp(e.at) + ' ';
  if (!e.task) {
    if (e.kind == event_kind::run_started) {
      return text + fmt::format("run started: {} jobs in {} parents", jobs_, plan_.parents.size());
    }
    const auto wall = ms(e.at - started_);
    return text + fmt::format("run finished: {}/{} jobs, {} failed, {} tokens, wall {}, agents' time {}",
                              jobs_finished_, jobs_, failed_, thousands(tokens_), wall_clock_text(wall),
                              wall_clock_text(busy(e.at)));
  }
  const task& t = plan_.tasks[*e.task];
  text += terminal_safe(t.id) + ' ';
  switch (e.kind) {
    case event_kind::parent_started: return text + "started: " + terminal_safe(t.title);
    case event_kind::parent_finished: return text + "finished";
    case event_kind::wave_started: return text + fmt::format("wave {}/{} started", e.wave + 1, wave_count_[*e.task]);
    case event_kind::wave_finished: return text + fmt::format("wave {}/{} finished", e.wave + 1, wave_count_[*e.task]);
    case event_kind::task_ready: return text + "ready";
    case event_kind::task_waiting: return text + "waiting: " + std::string(to_string(e.reason));
    case event_kind::task_launched:
      return text + fmt::format("launched (attempt {}{}{}): {}", e.attempt,
                                e.pid ? fmt::format(", pid {}", e.pid) : "",
                                e.job.empty() ? std::string() : ", job " + sanitize(e.job), terminal_safe(t.title));
    case event_kind::task_output: return text + "| " + sanitize(e.message);
    case event_kind::task_usage:
      if (!e.usage_known) return text + fmt::format("reported no usage: its reservation ({} tokens) counted", thousands(e.tokens));
      return text + fmt::format("used {} tokens{}", thousands(e.tokens),
                                e.cost_usd > 0 ? fmt::format(", ${:.4f}", e.cost_usd) : std::string());
    case event_kind::task_retry:
      return text + fmt::format("attempt {} failed, retry in {}: {}", e.attempt, elapsed_text(e.delay), sanitize(e.message));
    case event_kind::task_succeeded:
      if (!plan_.tasks[*e.task].is_job()) return text + "succeeded";
      return text + fmt::format("succeeded [{}/{} jobs]", jobs_finished_, jobs_);
    case event_kind::task_failed: return text + "failed: " + sanitize(e.message);
    case event_kind::task_skipped: return text + "skipped: " + sanitize(e.message);
    case event_kind::task_cancelled: return text + "cancelled";
    case event_kind::task_merge: return text + merge_text(e.merge, e.branch, e.commit, e.message);
    case event_kind::task_queued:
      return text + fmt::format("job {} {}{}", sanitize(e.job), sanitize(e.job_state),
                                e.message.empty() ? std::string() : " (" + sanitize(e.message) + ")");
    default: return text + std::string(to_string(e.kind));
  }
}

} // namespace cohort
