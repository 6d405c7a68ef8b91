// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/view/event_log.hpp>

#include "view/output_queue.hpp"

#include <boost/json/serialize.hpp>

#include <chrono>
#include <string>
#include <utility>


namespace cohort {

namespace {

bool is_task_event(event_kind k) noexcept {
  return k == event_kind::task_launched || k == event_kind::task_usage || k == event_kind::task_retry ||
         k == event_kind::task_succeeded || k == event_kind::task_failed ||
         k == event_kind::task_cancelled || k == event_kind::task_merge || k == event_kind::task_queued;
}

// The line that says how many lines the log could not keep.
std::string log_dropped_line(std::size_t n) {
  return boost::json::serialize(boost::json::object{{"event", "log_dropped"}, {"lines", n}}) + '\n';
}

} // namespace

boost::json::object to_json(const plan& p, const event& e, event::clock_type::time_point start) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  boost::json::object o{{"event", to_string(e.kind)},
                        {"ms", duration_cast<milliseconds>(e.at - start).count()}};
  if (e.task) o["task"] = p.tasks[*e.task].id;
  if (is_task_event(e.kind)) o["attempt"] = e.attempt;
  if (e.kind == event_kind::wave_started || e.kind == event_kind::wave_finished) o["wave"] = e.wave + 1;
  if (e.kind == event_kind::task_waiting) o["reason"] = to_string(e.reason);
  if (e.kind == event_kind::task_merge) {
    o["merge"] = to_string(e.merge);
    o["branch"] = e.branch;
    o["commit"] = e.commit;
  }
  if (!e.job.empty()) o["job"] = e.job;
  if (e.kind == event_kind::task_queued) o["job_state"] = e.job_state;
  if (e.kind == event_kind::task_launched || e.kind == event_kind::task_usage) o["tokens"] = e.tokens;
  if (e.kind == event_kind::task_launched) o["pid"] = e.pid;
  if (e.kind == event_kind::task_usage) {
    if (e.cost_usd != 0) o["cost_usd"] = e.cost_usd;
    if (!e.usage_known) o["usage_known"] = false;
  }
  if (e.delay.count() > 0) o["delay_ms"] = e.delay.count();
  if (!e.message.empty()) o["message"] = e.message;
  return o;
}

event_log::event_log(boost::asio::any_io_executor ex, const plan& p, int fd)
    : plan_(p), out_(detail::output_queue::make(std::move(ex), fd, log_dropped_line)) {}

event_log::~event_log() { out_->close(); }

void event_log::on_event(const event& e) {
  if (e.kind == event_kind::run_started) start_ = e.at;
  out_->line(boost::json::serialize(to_json(plan_, e, start_)) + '\n');
  if (e.kind == event_kind::run_finished) out_->flush();
}

} // namespace cohort
