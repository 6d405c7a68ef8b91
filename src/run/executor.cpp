// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/executor.hpp>

#include <cohort/run/rate_gate.hpp>

#include <cohort/core/error.hpp>
#include <cohort/core/pacer.hpp>
#include <cohort/core/scope.hpp>
#include <cohort/core/semaphore.hpp>

#include "core/exception_text.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <chrono>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <utility>
#include <vector>

namespace cohort {

using std::chrono::milliseconds;
namespace asio = boost::asio;

namespace {

using clock_type = event::clock_type;
using std::chrono::milliseconds;

using detail::describe;
using detail::is_cancellation;

event_kind event_for(task_outcome o) noexcept {
  switch (o) {
    case task_outcome::succeeded:
    case task_outcome::already_done: return event_kind::task_succeeded;
    case task_outcome::skipped: return event_kind::task_skipped;
    case task_outcome::cancelled: return event_kind::task_cancelled;
    case task_outcome::pending:
    case task_outcome::failed: break;
  }
  return event_kind::task_failed;
}

// Semaphore and pacer priorities (higher goes first) that reproduce the ready order of `o`, as
// the simulation keys its queues: ranks in the longest-path order, or all equal for FIFO (the
// semaphores and the pacer are FIFO within a priority).
struct priorities {
  std::vector<int> launch;  // every job's launch: by the remaining path from its own node
  std::vector<int> start;   // every parent's start (the stagger): from its start gate
};

// Ranks from keys in ready order: the first gets the highest.
std::vector<int> ranks_of(const std::vector<ready_key>& keys) {
  std::vector<int> out(keys.size(), 0);
  for (std::size_t rank = 0; rank < keys.size(); ++rank) {
    out[keys[rank].index] = static_cast<int>(keys.size() - rank);
  }
  return out;
}

priorities ready_priorities(const plan& p, const schedule_options& o) {
  if (o.order == ready_order::fifo) return {std::vector<int>(p.size(), 0), std::vector<int>(p.size(), 0)};
  const auto g = flatten(p, o.defaults, o.mode);
  const auto remaining = remaining_paths(p, g);
  auto keys = ready_keys(p, g, remaining);  // from each task's start node
  const auto before = [](const ready_key& a, const ready_key& b) { return launches_before(a, b); };
  std::sort(keys.begin(), keys.end(), before);
  priorities out;
  out.start = ranks_of(keys);
  // A parent with subtasks that runs its own command launches it from its own node, last: the
  // parents move (sorted among themselves, then merged back), the rest keep their order.
  std::vector<ready_key> parents;
  auto kept = keys.begin();
  for (auto k = keys.begin(); k != keys.end(); ++k) {
    if (p.tasks[k->index].subtasks.empty()) {
      *kept++ = *k;
    } else {
      parents.push_back(*k);
      parents.back().remaining = milliseconds(remaining[k->index]);
    }
  }
  std::sort(parents.begin(), parents.end(), before);
  std::copy(parents.begin(), parents.end(), kept);
  std::inplace_merge(keys.begin(), kept, keys.end(), before);
  out.launch = ranks_of(keys);
  return out;
}

// The subtasks of `parent` grouped by their wave (`wave` from analysis' waves()).
std::vector<std::vector<task_index>> waves_of(const plan& p, task_index parent,
                                              const std::vector<std::size_t>& wave) {
  std::vector<std::vector<task_index>> out;
  for (task_index s : p.tasks[parent].subtasks) {
    if (wave[s] >= out.size()) out.resize(wave[s] + 1);
    out[wave[s]].push_back(s);
  }
  return out;
}

asio::awaitable<void> sleep_for(milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

// One run of a plan. Lives in run_plan's coroutine frame; every coroutine below is a child of
// its scopes, so none outlives it.
class plan_run {
public:
  plan_run(const plan& p, launcher& l, executor_options o, std::vector<observer*> obs,
            asio::any_io_executor ex);

  asio::awaitable<void> run_all();
  void finalize(bool cancelled);
  run_report take_report();

private:
  // Parents and subtasks.
  asio::awaitable<void> run_parent(task_index p);
  void ended_by(task_index t, const std::exception_ptr& error);
  asio::awaitable<void> run_parent_body(task_index p);
  asio::awaitable<void> run_subtasks(scope& s, task_index p);
  asio::awaitable<void> skip(task_index t, std::string why);
  asio::awaitable<void> run_job(task_index t);
  struct retries {
    int rate_limits = 0;
    int failures = 0;
  };
  struct next_step {
    enum { done, again, after_backoff } then = done;
    milliseconds backoff{0};
  };
  next_step after_attempt(task_index t, int n, const std::optional<launch_result>& result, retries& so_far);
  asio::awaitable<std::optional<launch_result>> attempt(task_index t, int n);
  asio::awaitable<launch_result> launch(task_index t, int n, std::uint64_t reserved);
  // What the launch event of an attempt carries that the launcher learns on the way (the job a
  // cluster queued it as); the request's callbacks point here (small enough for std::function's
  // buffer), and the event is made when the agent started.
  struct launch_note {
    task_index task;
    int attempt;
    std::uint64_t reserved;
    std::string job;
  };
  // What a job records around its waits and its launches: plain functions, not coroutines. A
  // coroutine keeps every local in its frame (GCC), an event is 256 bytes, and a frame past the
  // allocator's small sizes costs a slow allocation.
  launch_request request_for(task_index t, int n, launch_note& note);
  void announce(event_kind k, std::optional<task_index> t) {
    auto e = make(k, t);
    emit(e);
  }
  void announce_wait(task_index t, wait_reason why);
  void announce_rate_limit(task_index t);
  milliseconds announce_retry(task_index t, int n, int failures, const std::string& why);
  void settle(task_index t, int n, std::uint64_t reserved, const launch_result& result,
              semaphore::permit& tokens, semaphore::permit& shared_tokens);

  // Dependencies. A task whose dependencies are not finished waits as a count (`park`), not
  // as a coroutine: it is spawned into its scope by the `finish` of its last dependency. So a
  // task's coroutine starts with its dependencies finished.
  struct parking;
  asio::awaitable<void> spawn_when_ready(scope& s, std::span<const task_index> children,
                                         std::size_t owner);
  bool park(task_index t, parking& where);
  void release_dependents(task_index d);
  asio::awaitable<void> start(task_index t);
  std::size_t owner_of(task_index t) const noexcept { return plan_.tasks[t].parent.value_or(plan_.tasks.size()); }
  std::optional<std::string> unmet_dependency(task_index t) const;
  std::optional<std::string> not_runnable(task_index t) const;
  void stop();

  // Limits.
  static semaphore::permit take_now(semaphore& s, std::size_t n);
  asio::awaitable<semaphore::permit> acquire_waiting(semaphore& s, std::size_t n, task_index t,
                                              wait_reason why);
  asio::awaitable<semaphore::permit> reserve(semaphore& budget, std::uint64_t n, task_index t);
  static void spend(semaphore::permit& reservation, std::uint64_t used) noexcept;
  std::uint64_t estimate(task_index t) const;
  void learn(task_index t, std::uint64_t used);
  std::string budget_spent() const;
  bool money_spent() const noexcept {
    return options_.cost_budget > 0 && report_.cost_usd >= options_.cost_budget;
  }
  asio::awaitable<void> wait_turn(pacer& p, task_index t, int priority);
  milliseconds backoff(int failures);

  // Outcomes and events.
  void finish(task_index t, task_outcome o, std::string reason = {});
  // The outcome the subtasks of `p` give it (succeeded, failed or cancelled), and why not succeeded.
  task_outcome subtasks_outcome(task_index p, std::string& why) const;
  void emit(event& e);  // stamps it with the time
  event make(event_kind k, std::optional<task_index> t) const;

  const plan& plan_;
  launcher& launcher_;
  executor_options options_;
  std::vector<observer*> observers_;
  // Per task, for the duration of the run (by task index). The reports become the run's.
  std::vector<task_report> reports_;
  priorities order_;  // launch order (higher first) and a parent's start order under the stagger
  std::vector<std::size_t> wave_;  // per subtask: its wave inside its parent (waves mode only)
  // Parked tasks: per task, how many of its dependencies are unfinished (0: not parked) and the
  // head of the list of the tasks parked on it (an index into `parked_edges_` + 1; 0: none).
  struct parked_edge {
    std::uint32_t waiter;
    std::uint32_t next;
  };
  std::vector<std::uint32_t> unfinished_deps_;
  std::vector<std::uint32_t> first_parked_;
  std::vector<parked_edge> parked_edges_;
  std::vector<parking*> parkings_;  // by owner: a parent's index, or tasks.size() for the top
  bool finished(task_index t) const noexcept { return reports_[t].outcome != task_outcome::pending; }
  semaphore slots_;
  std::optional<semaphore> budget_;                      // absent: unlimited
  std::vector<std::unique_ptr<semaphore>> parent_caps_;  // by parent index; empty: no cap
  pacer launch_pacer_;
  pacer parent_pacer_;
  rate_gate gate_;  // the run-wide pause after a rate limit
  // Actual usage so far, for the estimates of tasks without one: per parent, and the run's.
  struct usage_mean {
    std::uint64_t sum = 0;
    std::uint64_t count = 0;
  };
  std::map<task_index, usage_mean> parent_usage_;
  usage_mean run_usage_;
  std::mt19937_64 rng_;
  scope* top_ = nullptr;  // while run_all's scope is open
  bool stopping_ = false;  // fail-fast or a fatal agent error: nothing more starts
  std::size_t running_ = 0;
  run_report report_;
};

plan_run::plan_run(const plan& p, launcher& l, executor_options o, std::vector<observer*> obs,
                     asio::any_io_executor ex)
    : plan_(p),
      launcher_(l),
      options_(std::move(o)),
      observers_(std::move(obs)),
      order_(ready_priorities(p, options_.schedule)),
      unfinished_deps_(p.tasks.size()),
      first_parked_(p.tasks.size()),
      parkings_(p.tasks.size() + 1),
      slots_(ex, options_.schedule.max_running),
      launch_pacer_(ex, options_.schedule.launch_interval),
      parent_pacer_(ex, options_.schedule.parent_stagger),
      gate_(ex, options_.schedule.max_running),
      rng_(options_.seed) {
  if (options_.schedule.mode == wave_mode::waves) wave_ = waves(p);
  reports_.resize(p.tasks.size());
  const auto budget = options_.schedule.token_budget;
  if (budget > 0) {
    const auto left = budget - std::min(budget, options_.tokens_spent);
    budget_.emplace(ex, left);
  }
  if (options_.schedule.max_per_parent > 0) {
    parent_caps_.resize(p.tasks.size());
    for (task_index q : p.parents) {
      parent_caps_[q] = std::make_unique<semaphore>(ex, options_.schedule.max_per_parent);
    }
  }
  report_.tokens_spent = options_.tokens_spent;
  report_.cost_usd = options_.cost_spent;
  // Finished before the run: done in the plan (a done parent with all its subtasks), or resumed.
  auto mark_done = [this](task_index i) {
    reports_[i].outcome = task_outcome::already_done;
  };
  for (task_index i = 0; i < p.tasks.size(); ++i) {
    if (is_finished(p.tasks[i].status)) {
      mark_done(i);
      for (task_index s : p.tasks[i].subtasks) mark_done(s);
    }
  }
  for (task_index i : options_.finished) {
    if (i < p.tasks.size()) mark_done(i);
  }
}

asio::awaitable<void> plan_run::run_all() {
  report_.started = clock_type::now();
  announce(event_kind::run_started, std::nullopt);
  (void)co_await with_scope(scope_policy::isolate, [this](scope& top) -> asio::awaitable<void> {
    top_ = &top;
    return spawn_when_ready(top, plan_.parents, plan_.tasks.size());
  });
  top_ = nullptr;
}

// Gives every task left without an outcome one (after a cancellation), then ends the run.
void plan_run::finalize(bool cancelled) {
  top_ = nullptr;
  report_.cancelled = cancelled;
  for (task_index i = 0; i < reports_.size(); ++i) {
    if (!finished(i)) finish(i, task_outcome::cancelled, "the run was cancelled");
  }
  report_.finished = clock_type::now();
  announce(event_kind::run_finished, std::nullopt);
}

run_report plan_run::take_report() {
  report_.tasks = std::move(reports_);
  return std::move(report_);
}

// --- parents and subtasks ----------------------------------------------------------------------

asio::awaitable<void> plan_run::run_parent(task_index p) {
  std::exception_ptr error;
  try {
    co_await run_parent_body(p);
  } catch (...) {
    error = std::current_exception();
  }
  if (error) ended_by(p, error);
}

// `t` gets its outcome from what ended it (cancelled, or failed with the message), then the
// exception goes on to the scope.
void plan_run::ended_by(task_index t, const std::exception_ptr& error) {
  if (!finished(t)) {
    finish(t, is_cancellation(error) ? task_outcome::cancelled : task_outcome::failed,
           describe(error));
  }
  std::rethrow_exception(error);
}

asio::awaitable<void> plan_run::run_parent_body(task_index p) {
  if (auto why = not_runnable(p)) {
    finish(p, task_outcome::skipped, *why);
    for (task_index s : plan_.tasks[p].subtasks) {
      if (!finished(s)) finish(s, task_outcome::skipped, *why);
    }
    co_return;
  }
  if (auto why = unmet_dependency(p)) {
    finish(p, task_outcome::skipped, *why);
    for (task_index s : plan_.tasks[p].subtasks) {
      if (!finished(s)) finish(s, task_outcome::skipped, *why);
    }
    co_return;
  }
  if (options_.schedule.parent_stagger > milliseconds::zero() && !parent_pacer_.try_wait()) {
    co_await wait_turn(parent_pacer_, p, order_.start[p]);
  }
  announce(event_kind::parent_started, p);
  if (plan_.tasks[p].subtasks.empty()) {
    co_await run_job(p);  // a parent without subtasks is one agent
  } else {
    (void)co_await with_scope(scope_policy::isolate,
                              [this, p](scope& s) { return run_subtasks(s, p); });
    std::string why;
    const task_outcome o = subtasks_outcome(p, why);
    if (o == task_outcome::succeeded && plan_.tasks[p].is_job()) co_await run_job(p);  // its own command, last
    else finish(p, o, std::move(why));
  }
  announce(event_kind::parent_finished, p);
}

asio::awaitable<void> plan_run::run_subtasks(scope& s, task_index p) {
  const auto& subtasks = plan_.tasks[p].subtasks;
  if (options_.schedule.mode == wave_mode::rolling) {
    co_await spawn_when_ready(s, subtasks, p);
    co_return;
  }
  const auto waves = waves_of(plan_, p, wave_);
  for (std::size_t w = 0; w < waves.size(); ++w) {
    auto e = make(event_kind::wave_started, p);
    e.wave = w;
    emit(e);
    co_await spawn_when_ready(s, waves[w], p);  // those waiting for another parent's tasks park
    co_await s.join();  // the barrier
    e.kind = event_kind::wave_finished;
    emit(e);
    // Cancelled while the wave ran (the run interrupted): the scope takes no next wave.
    if (s.is_closed()) throw system_error(asio::error::operation_aborted, "cohort: the run is stopping");
  }
}

// The coroutine of `t`, whose dependencies are finished: its parent's, its job, or its skip.
// Not a coroutine itself: what decides a subtask's fate is known here (its status, and the
// outcomes of its dependencies, final), so a subtask that runs costs no frame of its own.
asio::awaitable<void> plan_run::start(task_index t) {
  if (plan_.tasks[t].is_parent()) return run_parent(t);
  auto why = not_runnable(t);
  if (!why) why = unmet_dependency(t);
  return why ? skip(t, std::move(*why)) : run_job(t);
}

// A coroutine, not a call from `start`: a skip finishes its task, which may release others, and
// a long chain of skipped tasks must not become as deep a recursion.
asio::awaitable<void> plan_run::skip(task_index t, std::string why) {
  finish(t, task_outcome::skipped, std::move(why));
  co_return;
}

// One job (a subtask, or a parent without subtasks): attempts until it has an outcome. What ends
// it (a cancellation, an error) gives the task its outcome, then goes on to the scope.
asio::awaitable<void> plan_run::run_job(task_index t) {
  std::exception_ptr error;
  try {
    announce(event_kind::task_ready, t);
    retries so_far;
    const auto& earlier = options_.earlier_launches;
    for (int n = 1 + (t < earlier.size() ? earlier[t] : 0);; ++n) {
      const std::optional<launch_result> result = co_await attempt(t, n);
      const next_step next = after_attempt(t, n, result, so_far);
      if (next.then == next_step::done) break;
      if (next.then == next_step::after_backoff) co_await sleep_for(next.backoff);
    }
  } catch (...) {
    error = std::current_exception();
  }
  if (error) ended_by(t, error);
}

// What follows attempt `n` of `t`: the task's outcome, or another attempt (at once after a rate
// limit, whose pause the gate holds; after a backoff after a failure).
plan_run::next_step plan_run::after_attempt(task_index t, int n, const std::optional<launch_result>& result,
                                            retries& so_far) {
  if (!result) {
    finish(t, task_outcome::skipped, budget_spent());
    return {};
  }
  if (result->status == launch_status::succeeded) {
    finish(t, task_outcome::succeeded);
    return {};
  }
  if (result->status == launch_status::fatal) {
    // No attempt of any task can succeed (a bad API key): nothing more starts, the run ends.
    finish(t, task_outcome::failed, result->message);
    if (report_.stopped.empty()) report_.stopped = result->message;
    stop();
    return {};
  }
  if (result->status == launch_status::rate_limited) {
    if (++so_far.rate_limits > options_.max_rate_limits) {
      finish(t, task_outcome::failed, fmt::format("rate limited {} times: {}", so_far.rate_limits, result->message));
      return {};
    }
    return {next_step::again, {}};
  }
  if (so_far.failures < options_.retry.retries) {
    return {next_step::after_backoff, announce_retry(t, n, ++so_far.failures, result->message)};
  }
  finish(t, task_outcome::failed, result->message);
  if (options_.fail_fast) stop();
  return {};
}

// One attempt: the limits in order (parent cap, slot, tokens, pacer), then the launch. Empty
// when the token budget cannot cover the reservation any more.
asio::awaitable<std::optional<launch_result>> plan_run::attempt(task_index t, int n) {
  semaphore::permit parent_permit;
  if (!parent_caps_.empty()) {
    auto& cap = *parent_caps_[plan_.tasks[t].parent.value_or(t)];
    parent_permit = take_now(cap, 1);
    if (!parent_permit) parent_permit = co_await acquire_waiting(cap, 1, t, wait_reason::parent_cap);
  }
  auto slot = take_now(slots_, 1);
  if (!slot) slot = co_await acquire_waiting(slots_, 1, t, wait_reason::slot);
  semaphore::permit shared_slot;
  if (options_.shared_slots) {
    shared_slot = take_now(*options_.shared_slots, 1);
    if (!shared_slot) shared_slot = co_await acquire_waiting(*options_.shared_slots, 1, t, wait_reason::slot);
  }
  if (money_spent()) co_return std::nullopt;
  semaphore::permit tokens, shared_tokens;
  std::uint64_t reserved = 0;
  if (budget_ || options_.shared_budget) reserved = std::max<std::uint64_t>(1, estimate(t));
  if (budget_ && !(tokens = co_await reserve(*budget_, reserved, t))) co_return std::nullopt;
  if (options_.shared_budget && !(shared_tokens = co_await reserve(*options_.shared_budget, reserved, t))) {
    co_return std::nullopt;
  }
  if (options_.schedule.launch_interval > milliseconds::zero() && !launch_pacer_.try_wait()) {
    co_await wait_turn(launch_pacer_, t, order_.launch[t]);
  }
  rate_gate::admission admitted = gate_.try_admit();
  if (!admitted) {
    announce_rate_limit(t);
    admitted = co_await gate_.async_admit();
  }
  // The waits may have been long: the money may be spent meanwhile.
  if (money_spent()) co_return std::nullopt;
  std::optional<launch_result> result(co_await launch(t, n, reserved));
  const std::size_t epoch = admitted.epoch();
  admitted.release();
  if (result->status == launch_status::rate_limited) {
    gate_.limited(std::max(result->retry_after, options_.rate_limit_delay));
    report_.rate_limit_pauses = gate_.pauses();
  } else {
    gate_.passed(epoch);
  }
  settle(t, n, reserved, *result, tokens, shared_tokens);
  co_return std::move(result);
}

// The attempt's usage: its reservations settled to what it used, the task's and the run's
// totals, what the task's kind costs, and the usage event.
void plan_run::settle(task_index t, int n, std::uint64_t reserved, const launch_result& result,
                      semaphore::permit& tokens, semaphore::permit& shared_tokens) {
  const std::uint64_t used = result.tokens.value_or(reserved);
  spend(tokens, used);
  spend(shared_tokens, used);
  reports_[t].tokens += used;
  report_.tokens_spent += used;
  // Only an agent that did its work says what a task costs (not a limit, nor a shortcut at 0).
  const bool worked = result.status == launch_status::succeeded || result.status == launch_status::failed;
  if (result.tokens && *result.tokens > 0 && worked) learn(t, *result.tokens);
  if (!result.tokens) ++report_.unknown_usage;
  report_.cost_usd += result.cost_usd.value_or(0);
  auto e = make(event_kind::task_usage, t);
  e.attempt = n;
  e.tokens = used;
  e.cost_usd = result.cost_usd.value_or(0);
  e.usage_known = result.tokens.has_value();
  emit(e);
}

void plan_run::announce_rate_limit(task_index t) {
  auto e = make(event_kind::task_waiting, t);
  e.reason = wait_reason::rate_limit;
  e.delay = std::chrono::duration_cast<milliseconds>(
      std::max(gate_.paused_until() - rate_gate::clock_type::now(), rate_gate::clock_type::duration::zero()));
  e.message = fmt::format("{} of {} agents at once", gate_.cap(), options_.schedule.max_running);
  emit(e);
}

// The retry event of a failed attempt; returns the backoff before the next one.
milliseconds plan_run::announce_retry(task_index t, int n, int failures, const std::string& why) {
  auto e = make(event_kind::task_retry, t);
  e.attempt = n;
  e.delay = backoff(failures);
  e.message = why;
  emit(e);
  return e.delay;
}

// Nothing more starts: a task whose wait for its limits already completed, its resumption
// queued, is stopped at the launch below; the rest by the cancellation.
void plan_run::stop() {
  stopping_ = true;
  if (top_) top_->cancel();
}

asio::awaitable<launch_result> plan_run::launch(task_index t, int n, std::uint64_t reserved) {
  if (stopping_) throw system_error(asio::error::operation_aborted, "cohort: the run is stopping");
  // Back-pressure: nothing starts while a reader of the events lags behind (checked last, so
  // that no wait for a limit comes between the check and the launch).
  for (auto* o : observers_) {
    while (o->lagging()) co_await o->until_caught_up();  // all waiters wake; the first goes
  }
  for (auto* o : observers_) {  // nothing starts unrecorded
    if (o->groups_launches()) co_await o->until_recorded();
    else o->before_launch();
  }
  if (stopping_) throw system_error(asio::error::operation_aborted, "cohort: the run is stopping");
  launch_note note{t, n, reserved, {}};
  launch_request request = request_for(t, n, note);
  report_.peak_running = std::max(report_.peak_running, ++running_);
  launch_result result;
  std::exception_ptr error;
  try {
    result = co_await launcher_.launch(request);
  } catch (...) {
    error = std::current_exception();
  }
  --running_;
  if (error && is_cancellation(error)) std::rethrow_exception(error);
  if (error) {  // the agent could not start: a failed attempt, which may be retried
    result.status = launch_status::failed;
    result.tokens = 0;
    result.message = describe(error);
  }
  co_return result;
}

launch_request plan_run::request_for(task_index t, int n, launch_note& note) {
  auto& report = reports_[t];
  if (report.started == clock_type::time_point{}) report.started = clock_type::now();
  report.attempts = n;
  launch_request request;
  request.source = &plan_;
  request.task = t;
  request.attempt = n;
  request.timeout = options_.timeout;
  request.on_output = [this, t](std::string_view line) {
    auto e = make(event_kind::task_output, t);
    e.message = line;
    emit(e);
  };
  request.on_merge = [this, note = &note](const event& step) {
    reports_[note->task].record_merge(step);
    auto e = make(event_kind::task_merge, note->task);
    e.attempt = note->attempt;
    e.merge = step.merge;
    e.branch = step.branch;
    e.commit = step.commit;
    e.message = step.message;
    emit(e);
  };
  request.on_queued = [this, note = &note](const event& step) {  // the task and attempt are the launch's
    note->job = step.job;
    reports_[note->task].record_queued(step);
    auto q = make(event_kind::task_queued, note->task);
    q.attempt = note->attempt;
    q.job = step.job;
    q.job_state = step.job_state;
    q.message = step.message;
    emit(q);
  };
  request.on_started = [this, note = &note](const started_agent& agent) {
    auto e = make(event_kind::task_launched, note->task);
    e.attempt = note->attempt;
    e.tokens = note->reserved;
    e.job = note->job;
    e.pid = agent.pid;
    e.start_time = agent.start_time;
    emit(e);
  };
  return request;
}

// --- dependencies ------------------------------------------------------------------------------

// The scope a parked task is spawned into, and how many of its children still wait.
struct plan_run::parking {
  scope* in = nullptr;
  std::size_t parked = 0;
  asio::steady_timer* all_spawned = nullptr;  // cancelled when `parked` drops to 0
};

// Spawns each of `children` into `s`: at once when its dependencies are finished, else from the
// `finish` of its last one. Returns once every child has been spawned (the scope stays open for
// them meanwhile). A child that never becomes ready (the run cancelled) gets its outcome from
// `finalize`; one cancelled with this body gets it here.
asio::awaitable<void> plan_run::spawn_when_ready(scope& s, std::span<const task_index> children,
                                                 std::size_t owner) {
  std::exception_ptr error;
  {
    asio::steady_timer all_spawned(s.get_executor(), asio::steady_timer::time_point::max());
    parking here{&s, 0, &all_spawned};
    parkings_[owner] = &here;
    // Unlisted at the end of this block, or when the frame is destroyed in it: nothing is
    // spawned through it after (below, nor by a `finish` after the run).
    struct listing {
      parking*& slot;
      ~listing() { slot = nullptr; }
    } listed{parkings_[owner]};
    try {
      for (task_index t : children) {
        if (!finished(t) && !park(t, here)) s.spawn(start(t));
      }
      while (here.parked > 0) {
        co_await all_spawned.async_wait(asio::as_tuple(asio::use_awaitable));
        asio::cancellation_state cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) {
          throw system_error(asio::error::operation_aborted, "cohort: waiting for a dependency");
        }
      }
    } catch (...) {
      error = std::current_exception();
    }
  }
  if (!error) co_return;
  std::vector<task_index> parked;  // before any finish below releases one of them
  for (task_index t : children) {
    if (!finished(t) && unfinished_deps_[t] > 0) parked.push_back(t);
  }
  for (task_index t : parked) {
    if (!finished(t)) finish(t, task_outcome::cancelled, describe(error));
  }
  std::rethrow_exception(error);
}

// Parks `t` on its unfinished dependencies (a subtask's own parent aside: it is inside it).
// False when there are none: `t` is ready.
bool plan_run::park(task_index t, parking& where) {
  const auto& task = plan_.tasks[t];
  std::uint32_t unfinished = 0;
  for (task_index d : task.dependencies) {
    if (d == task.parent || finished(d)) continue;
    parked_edges_.push_back({static_cast<std::uint32_t>(t), first_parked_[d]});
    first_parked_[d] = static_cast<std::uint32_t>(parked_edges_.size());
    ++unfinished;
  }
  if (unfinished == 0) return false;
  unfinished_deps_[t] = unfinished;
  ++where.parked;
  announce_wait(t, wait_reason::dependency);
  return true;
}

// `d` has its outcome: the tasks parked on it count one dependency less; the last one spawns
// them (whether they then run or are skipped is theirs to decide).
void plan_run::release_dependents(task_index d) {
  for (std::uint32_t e = std::exchange(first_parked_[d], 0); e != 0;) {
    const parked_edge edge = parked_edges_[e - 1];
    e = edge.next;
    if (--unfinished_deps_[edge.waiter] > 0) continue;
    parking* where = parkings_[owner_of(edge.waiter)];
    if (!where) continue;  // its body ended (the run is over or cancelled): finalize's
    if (!where->in->is_closed()) where->in->spawn(start(edge.waiter));
    if (--where->parked == 0) where->all_spawned->cancel();
  }
}

// Why `t` is not run for its own status (`review`, `deferred`, `blocked`: not runnable as Task
// Master defines it); a finished status never reaches here (already done).
std::optional<std::string> plan_run::not_runnable(task_index t) const {
  const task_status s = plan_.tasks[t].status;
  if (is_runnable(s) || is_finished(s)) return std::nullopt;
  return fmt::format("its status is {}: not runnable (Task Master runs pending and in-progress tasks)",
                     to_string(s));
}

// Why `t` cannot run: the first dependency that did not end well.
std::optional<std::string> plan_run::unmet_dependency(task_index t) const {
  for (task_index d : plan_.tasks[t].dependencies) {
    if (d == plan_.tasks[t].parent) continue;
    const auto o = reports_[d].outcome;
    if (o != task_outcome::succeeded && o != task_outcome::already_done) {
      return "dependency " + plan_.tasks[d].id + " " + std::string(to_string(o));
    }
  }
  return std::nullopt;
}

// --- limits ------------------------------------------------------------------------------------

semaphore::permit plan_run::take_now(semaphore& s, std::size_t n) {
  auto p = s.try_acquire(n);
  return p ? std::move(*p) : semaphore::permit();
}

// Waits for `n` units behind every task of higher priority. Empty when `n` can never fit.
// `n` tokens of `budget`; an empty permit when the budget can no longer cover them (it is
// smaller, or it shrank below `n` while this waited).
asio::awaitable<semaphore::permit> plan_run::reserve(semaphore& budget, std::uint64_t n, task_index t) {
  if (n > budget.capacity()) co_return semaphore::permit();
  auto permit = take_now(budget, n);
  if (!permit) permit = co_await acquire_waiting(budget, n, t, wait_reason::budget);
  co_return std::move(permit);
}

// The tokens a launch of `t` reserves: its own estimate; else what its parent's finished
// attempts used on average; else the run's average; else the default.
std::uint64_t plan_run::estimate(task_index t) const {
  if (plan_.tasks[t].tokens) return *plan_.tasks[t].tokens;
  const auto mean = [](const usage_mean& m) { return (m.sum + m.count - 1) / m.count; };  // rounded up
  const auto parent = parent_usage_.find(plan_.tasks[t].parent.value_or(t));
  if (parent != parent_usage_.end()) return mean(parent->second);
  if (run_usage_.count > 0) return mean(run_usage_);
  return options_.schedule.defaults.tokens;
}

void plan_run::learn(task_index t, std::uint64_t used) {
  auto& parent = parent_usage_[plan_.tasks[t].parent.value_or(t)];
  parent.sum += used;
  ++parent.count;
  run_usage_.sum += used;
  ++run_usage_.count;
}

std::string plan_run::budget_spent() const {
  if (money_spent()) {
    return fmt::format("the budget of ${} is spent (${:.4f})", options_.cost_budget, report_.cost_usd);
  }
  return "the token budget is spent";
}

// Settles a reservation to what was used, and spends it: it leaves the budget for good.
void plan_run::spend(semaphore::permit& reservation, std::uint64_t used) noexcept {
  if (!reservation) return;
  reservation.resize(used);  // may overdraw: what was used is spent either way
  reservation.consume();
}

asio::awaitable<semaphore::permit> plan_run::acquire_waiting(semaphore& s, std::size_t n, task_index t,
                                                       wait_reason why) {
  announce_wait(t, why);
  auto [ec, permit] =
      co_await s.async_acquire(n, order_.launch[t], asio::as_tuple(asio::use_awaitable));
  if (ec == errc::exceeds_capacity) co_return semaphore::permit();
  if (ec) throw system_error(ec, "cohort: waiting for a limit");
  co_return std::move(permit);
}

void plan_run::announce_wait(task_index t, wait_reason why) {
  auto e = make(event_kind::task_waiting, t);
  e.reason = why;
  emit(e);
}

asio::awaitable<void> plan_run::wait_turn(pacer& p, task_index t, int priority) {
  announce_wait(t, wait_reason::stagger);
  co_await p.async_wait(priority, asio::use_awaitable);
}

milliseconds plan_run::backoff(int failures) {
  const auto& r = options_.retry;
  const double base = static_cast<double>(r.base_delay.count()) * std::pow(2.0, failures - 1);
  const double capped = std::min(base, static_cast<double>(r.max_delay.count()));
  std::uniform_real_distribution<double> factor(1.0 - r.jitter, 1.0 + r.jitter);
  return milliseconds(static_cast<milliseconds::rep>(std::max(0.0, capped * factor(rng_))));
}

// --- outcomes and events -----------------------------------------------------------------------

void plan_run::finish(task_index t, task_outcome o, std::string reason) {
  auto& r = reports_[t];
  r.outcome = o;
  r.finished = clock_type::now();
  r.reason = std::move(reason);
  release_dependents(t);
  auto e = make(event_for(o), t);
  e.attempt = r.attempts;
  e.tokens = r.tokens;
  e.message = r.reason;
  emit(e);
}

task_outcome plan_run::subtasks_outcome(task_index p, std::string& why) const {
  task_outcome o = task_outcome::succeeded;
  for (task_index s : plan_.tasks[p].subtasks) {
    const auto so = reports_[s].outcome;
    if (so == task_outcome::succeeded || so == task_outcome::already_done) continue;
    if (o == task_outcome::succeeded) why = "subtask " + plan_.tasks[s].id + " " + std::string(to_string(so));
    o = so == task_outcome::cancelled ? task_outcome::cancelled : task_outcome::failed;
  }
  return o;
}

event plan_run::make(event_kind k, std::optional<task_index> t) const {
  event e;
  e.kind = k;
  e.task = t;
  return e;
}

void plan_run::emit(event& e) {
  if (observers_.empty()) return;
  e.at = clock_type::now();
  for (auto* o : observers_) o->on_event(e);
}

} // namespace

std::string_view to_string(task_outcome o) noexcept {
  switch (o) {
    case task_outcome::pending: return "pending";
    case task_outcome::already_done: return "already done";
    case task_outcome::succeeded: return "succeeded";
    case task_outcome::failed: return "failed";
    case task_outcome::skipped: return "skipped";
    case task_outcome::cancelled: return "cancelled";
  }
  return "unknown";
}

void task_report::record_merge(const event& step) {
  task_placement& where = placement.edit();
  where.merge = step.merge;
  where.branch = step.branch;
  where.commit = step.commit;
  if (step.merge == merge_state::conflict) ++where.conflicts;
}

void task_report::record_queued(const event& step) { placement.edit().job = step.job; }

std::size_t run_report::count(task_outcome o) const noexcept {
  return static_cast<std::size_t>(
      std::count_if(tasks.begin(), tasks.end(), [o](const task_report& r) { return r.outcome == o; }));
}

bool run_report::all_done() const noexcept {
  return std::all_of(tasks.begin(), tasks.end(), [](const task_report& r) {
    return r.outcome == task_outcome::succeeded || r.outcome == task_outcome::already_done;
  });
}

namespace detail {

// The run on its own strand (the caller's, if it runs on one). Whatever ends it, the report is
// complete (every task has an outcome); `error` is what ended it early, if anything.
asio::awaitable<run_report> run_plan_reporting(const plan& p, launcher& l, executor_options options,
                                               std::vector<observer*> observers,
                                               std::exception_ptr& error) {
  auto ex = co_await asio::this_coro::executor;
  if (!is_scope_strand(ex)) {
    // The run's state, its observers and its launcher calls live on one strand (co_spawn
    // forwards the caller's cancellation to it).
    co_return co_await asio::co_spawn(
        make_scope_strand(ex), run_plan_reporting(p, l, std::move(options), std::move(observers), error),
        asio::use_awaitable);
  }
  if (options.schedule.max_running == 0) {
    error = std::make_exception_ptr(
        system_error(errc::invalid_argument, "cohort::run_plan: max_running must be at least 1"));
    co_return run_report{};
  }
  plan_run run(p, l, std::move(options), std::move(observers), std::move(ex));
  try {
    co_await run.run_all();
  } catch (...) {
    error = std::current_exception();
  }
  run.finalize(error != nullptr);
  co_return run.take_report();
}

asio::awaitable<code_and<run_report>> run_plan_outcome(const plan& p, launcher& l,
                                                       executor_options options,
                                                       std::vector<observer*> observers) {
  std::exception_ptr error;
  auto report = co_await run_plan_reporting(p, l, std::move(options), std::move(observers), error);
  error_code code;
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const system_error& e) {
      code = e.code();
    }
  }
  co_return code_and<run_report>{code, std::move(report)};
}

} // namespace detail

asio::awaitable<run_report> run_plan(const plan& p, launcher& l, executor_options options,
                                     std::vector<observer*> observers) {
  std::exception_ptr error;
  auto report =
      co_await detail::run_plan_reporting(p, l, std::move(options), std::move(observers), error);
  if (error) std::rethrow_exception(error);
  co_return report;
}

} // namespace cohort
