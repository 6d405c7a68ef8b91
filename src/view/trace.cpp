// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/view/trace.hpp>

#include <boost/json/serialize.hpp>

#include <fstream>
#include <system_error>

namespace cohort {
namespace {

constexpr int agents_pid = 1;
constexpr int parents_pid = 2;

boost::json::object metadata(const char* what, int pid, std::size_t tid, std::string name) {
  return {{"ph", "M"}, {"name", what}, {"pid", pid}, {"tid", tid},
          {"args", boost::json::object{{"name", std::move(name)}}}};
}

} // namespace

trace_writer::trace_writer(const plan& p, std::filesystem::path file)
    : plan_(p), file_(std::move(file)), agents_(p.size()), parents_(p.size()), waves_(p.size()),
      merges_(p.size()) {
  events_.push_back(metadata("process_name", agents_pid, 0, "agents"));
  events_.push_back(metadata("process_name", parents_pid, 0, "parents"));
}

void trace_writer::on_event(const event& e) {
  switch (e.kind) {
    case event_kind::run_started: start_ = e.at; break;
    case event_kind::parent_started: parent_started(e); break;
    case event_kind::parent_finished: parent_ended(e); break;
    case event_kind::wave_started: wave(e, true); break;
    case event_kind::wave_finished: wave(e, false); break;
    case event_kind::task_launched: agent_started(e); break;
    case event_kind::task_usage: agent_ended(e); break;
    case event_kind::task_retry: flush_agent(*e.task, "retry", e.at); instant(e, "retry"); break;
    case event_kind::task_waiting:
      if (e.reason == wait_reason::rate_limit) flush_agent(*e.task, "rate limited", e.at);
      break;
    case event_kind::task_succeeded: flush_agent(*e.task, "succeeded", e.at); break;
    case event_kind::task_failed: flush_agent(*e.task, "failed", e.at); instant(e, "failed"); break;
    case event_kind::task_skipped: instant(e, "skipped"); break;
    case event_kind::task_cancelled: flush_agent(*e.task, "cancelled", e.at); break;
    case event_kind::task_merge: merge(e); break;
    case event_kind::run_finished: close_all(e.at); break;
    default: break;
  }
}

std::size_t trace_writer::take(std::vector<bool>& tracks) {
  for (std::size_t i = 0; i < tracks.size(); ++i) {
    if (!tracks[i]) {
      tracks[i] = true;
      return i;
    }
  }
  tracks.push_back(true);
  return tracks.size() - 1;
}

void trace_writer::agent_started(const event& e) {
  flush_agent(*e.task, "ended", e.at);  // an earlier attempt whose outcome never came
  const std::size_t track = take(agent_tracks_);
  if (track + 1 == agent_tracks_.size()) {
    events_.push_back(metadata("thread_name", agents_pid, track, "slot " + std::to_string(track + 1)));
  }
  agents_[*e.task] = open_slice{track, e.at, e.attempt, e.tokens, std::nullopt, 0};
}

void trace_writer::agent_ended(const event& e) {
  auto& a = agents_[*e.task];
  if (!a || a->ended) return;
  a->ended = e.at;
  a->tokens = e.tokens;
  agent_tracks_[a->track] = false;
}

void trace_writer::flush_agent(task_index t, std::string_view outcome,
                               event::clock_type::time_point at) {
  auto& a = agents_[t];
  if (!a) return;
  if (!a->ended) {  // ended without a usage report (cancelled)
    a->ended = at;
    agent_tracks_[a->track] = false;
  }
  const auto& task = plan_.tasks[t];
  slice(agents_pid, a->track, task.id + " " + task.title, a->since, *a->ended,
        {{"task", task.id}, {"attempt", a->attempt}, {"reserved", a->reserved},
         {"tokens", a->tokens}, {"outcome", outcome}});
  a.reset();
}

void trace_writer::parent_started(const event& e) {
  const std::size_t lane = take(parent_tracks_);
  if (lane + 1 == parent_tracks_.size()) {
    events_.push_back(metadata("thread_name", parents_pid, lane, "lane " + std::to_string(lane + 1)));
  }
  parents_[*e.task] = open_slice{lane, e.at, 0, 0, std::nullopt, 0};
}

void trace_writer::parent_ended(const event& e) {
  auto& p = parents_[*e.task];
  if (!p) return;
  if (waves_[*e.task]) {
    slice(parents_pid, p->track, "wave", *waves_[*e.task], e.at, {{"parent", plan_.tasks[*e.task].id}});
    waves_[*e.task].reset();
  }
  const auto& task = plan_.tasks[*e.task];
  slice(parents_pid, p->track, task.id + " " + task.title, p->since, e.at, {{"task", task.id}});
  parent_tracks_[p->track] = false;
  p.reset();
}

void trace_writer::wave(const event& e, bool started) {
  const auto& p = parents_[*e.task];
  if (!p) return;
  if (started) {
    waves_[*e.task] = e.at;
    return;
  }
  if (!waves_[*e.task]) return;
  slice(parents_pid, p->track, "wave " + std::to_string(e.wave + 1), *waves_[*e.task], e.at,
        {{"parent", plan_.tasks[*e.task].id}, {"wave", e.wave + 1}});
  waves_[*e.task].reset();
}

void trace_writer::instant(const event& e, std::string_view name) {
  const auto& a = agents_[*e.task];
  const auto& task = plan_.tasks[*e.task];
  events_.push_back(boost::json::object{
      {"ph", "i"}, {"s", a ? "t" : "p"}, {"name", std::string(name) + " " + task.id},
      {"pid", agents_pid}, {"tid", a ? a->track : 0}, {"ts", micros(e.at)},
      {"args", boost::json::object{{"task", task.id}, {"message", e.message}}}});
}

// A merge is a slice inside its attempt's, from `merging` to `merged` or `conflict`; the other
// steps are instants.
void trace_writer::merge(const event& e) {
  auto& since = merges_[*e.task];
  if (e.merge == merge_state::merging) {
    since = e.at;
    return;
  }
  if (since && (e.merge == merge_state::merged || e.merge == merge_state::conflict)) {
    const auto& a = agents_[*e.task];
    const auto& task = plan_.tasks[*e.task];
    slice(agents_pid, a ? a->track : 0, "merge " + task.id, *since, e.at,
          {{"task", task.id}, {"state", to_string(e.merge)}, {"branch", e.branch}, {"commit", e.commit},
           {"paths", e.message}});
    since.reset();
    return;
  }
  instant(e, std::string(to_string(e.merge)));
}

// After a cancellation: whatever is still open ends with the run.
void trace_writer::close_all(event::clock_type::time_point at) {
  for (task_index t = 0; t < agents_.size(); ++t) {
    flush_agent(t, "cancelled", at);
  }
  for (task_index t = 0; t < parents_.size(); ++t) {
    if (!parents_[t]) continue;
    event e;
    e.task = t;
    e.at = at;
    parent_ended(e);
  }
  if (file_.empty()) return;
  try {
    write(file_);
  } catch (const std::exception& x) {
    write_error_ = x.what();
  }
}

double trace_writer::micros(event::clock_type::time_point t) const {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(t - start_).count());
}

void trace_writer::slice(int pid, std::size_t tid, const std::string& name,
                         event::clock_type::time_point from, event::clock_type::time_point to,
                         boost::json::object args) {
  events_.push_back(boost::json::object{{"ph", "X"}, {"name", name}, {"pid", pid}, {"tid", tid},
                                        {"ts", micros(from)}, {"dur", micros(to) - micros(from)},
                                        {"args", std::move(args)}});
}

boost::json::value trace_writer::json() const {
  return boost::json::object{{"traceEvents", events_}, {"displayTimeUnit", "ms"}};
}

void trace_writer::write(const std::filesystem::path& file) const {
  auto temp = file;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << boost::json::serialize(json()) << '\n';
    if (!out.flush()) {
      throw std::system_error(errno, std::generic_category(), "cannot write " + temp.string());
    }
  }
  std::filesystem::rename(temp, file);
}

} // namespace cohort
