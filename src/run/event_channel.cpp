// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/event_channel.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace cohort {
namespace asio = boost::asio;

event_channel::event_channel(executor_type ex, std::size_t capacity)
    : executor_(std::move(ex)), capacity_(capacity) {}

namespace {
// A run waiting for the readers may go on.
template <class Handler>
void go_on(Handler h) {
  std::move(h)(error_code{});
}
} // namespace

event_channel::~event_channel() {
  std::lock_guard lock(mutex_);
  readers_.abort_all(executor_);
  runs_.complete_all(executor_, &go_on<run_queue::handler_type>);
}

std::size_t event_channel::size() const {
  std::lock_guard lock(mutex_);
  return events_.size();
}

void event_channel::on_event(const event& e) {
  std::lock_guard lock(mutex_);
  events_.push_back(e);
  if (e.kind == event_kind::run_finished) finished_ = true;
  while (!readers_.empty() && (!events_.empty() || finished_)) deliver(readers_.pop_front());
}

bool event_channel::lagging() const noexcept {
  std::lock_guard lock(mutex_);
  return events_.size() > capacity_;
}

asio::awaitable<void> event_channel::until_caught_up() {
  co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(error_code)>(
      [this](auto handler) { initiate_wait(run_queue::handler_type(std::move(handler))); },
      asio::use_awaitable);
}

void event_channel::initiate_read(reader_queue::handler_type handler) {
  auto w = reader_queue::make({}, std::move(handler), [this](const reader_queue::pointer& cancelled) {
    std::lock_guard lock(mutex_);
    readers_.cancel(cancelled, executor_);
  });
  std::lock_guard lock(mutex_);
  if (readers_.empty() && (!events_.empty() || finished_)) return deliver(std::move(w->handler));
  readers_.push(0, w);
}

// The oldest event, or eof once the run finished and everything was read.
void event_channel::deliver(reader_queue::handler_type handler) {
  if (events_.empty()) {
    return reader_queue::complete(executor_, std::move(handler), [](reader_queue::handler_type h) {
      std::move(h)(asio::error::eof, event{});
    });
  }
  reader_queue::complete(executor_, std::move(handler), [e = std::move(events_.front())](reader_queue::handler_type h) mutable {
    std::move(h)(error_code{}, std::move(e));
  });
  events_.pop_front();
  release_runs();
}

void event_channel::release_runs() {
  if (events_.size() > capacity_) return;
  while (!runs_.empty()) {
    run_queue::complete(executor_, runs_.pop_front(), &go_on<run_queue::handler_type>);
  }
}

void event_channel::initiate_wait(run_queue::handler_type handler) {
  auto w = run_queue::make({}, std::move(handler), [this](const run_queue::pointer& cancelled) {
    std::lock_guard lock(mutex_);
    runs_.cancel(cancelled, executor_);
  });
  std::lock_guard lock(mutex_);
  runs_.push(0, w);
  release_runs();  // caught up already: at once (posted)
}

} // namespace cohort
