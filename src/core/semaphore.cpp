// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/core/semaphore.hpp>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>

namespace cohort {
namespace asio = boost::asio;

struct semaphore::waiter {
  std::size_t n;
  handler_type handler;
  waiter_list::iterator position;
  bool queued = false;  // in waiters_; false once granted, failed or cancelled (under mutex_)
};

semaphore::semaphore(executor_type ex, std::size_t capacity)
    : executor_(std::move(ex)), capacity_(capacity) {}

semaphore::~semaphore() {
  std::lock_guard lock(mutex_);
  for (auto& [priority, w] : waiters_) {
    w->queued = false;
    w->handler.get_cancellation_slot().clear();
    complete(std::move(w->handler), asio::error::operation_aborted, 0);
  }
}

std::optional<semaphore::permit> semaphore::try_acquire(std::size_t n) {
  std::lock_guard lock(mutex_);
  if (!waiters_.empty() || n > available_locked()) return std::nullopt;
  in_use_ += n;
  return permit(*this, n);
}

std::size_t semaphore::capacity() const noexcept {
  std::lock_guard lock(mutex_);
  return capacity_;
}

std::size_t semaphore::available() const noexcept {
  std::lock_guard lock(mutex_);
  return available_locked();
}

semaphore_stats semaphore::stats() const noexcept {
  std::lock_guard lock(mutex_);
  return {capacity_, in_use_, available_locked(), waiters_.size(), consumed_};
}

void semaphore::initiate(std::size_t n, int priority, handler_type handler) {
  auto w = std::make_shared<waiter>(waiter{n, std::move(handler), {}, false});
  // The slot is assigned while the handler is still ours alone: once queued, a release on
  // another thread may take it.
  auto slot = w->handler.get_cancellation_slot();
  if (slot.is_connected()) {
    slot.assign([this, w](asio::cancellation_type) { cancel_waiter(w); });
  }
  std::lock_guard lock(mutex_);
  if (n > capacity_) return complete(std::move(w->handler), errc::exceeds_capacity, 0);
  if (waiters_.empty() && n <= available_locked()) {
    in_use_ += n;
    return complete(std::move(w->handler), {}, n);
  }
  // Behind every waiter of the same or a higher priority: FIFO within a priority.
  w->position = waiters_.emplace(priority, w);
  w->queued = true;
}

// Runs on the waiter's executor (where its cancellation is emitted).
void semaphore::cancel_waiter(const std::shared_ptr<waiter>& w) {
  std::lock_guard lock(mutex_);
  if (!w->queued) return;  // already granted or failed: its completion is on its way
  w->queued = false;
  const bool was_head = w->position == waiters_.begin();
  waiters_.erase(w->position);
  complete(std::move(w->handler), asio::error::operation_aborted, 0);
  if (was_head) pump();  // a heavy head leaving may let the lighter ones behind it through
}

void semaphore::complete(handler_type handler, error_code ec, std::size_t n) {
  // Posted, never run here (a mutex is held, and handlers never run inside a call). The
  // handler's cancellation slot is cleared on its own executor, where it is emitted. The permit
  // is made when the handler runs, so a handler destroyed unrun (its executor shut down) never
  // touches the semaphore.
  auto ex = asio::get_associated_executor(handler, executor_);
  asio::post(executor_, asio::bind_executor(ex, [this, h = std::move(handler), ec, n]() mutable {
               h.get_cancellation_slot().clear();
               std::move(h)(ec, ec ? permit() : permit(*this, n));
             }));
}

void semaphore::pump() noexcept {
  while (!waiters_.empty()) {
    waiter& head = *waiters_.begin()->second;
    const bool doomed = head.n > capacity_;
    if (!doomed && head.n > available_locked()) return;
    head.queued = false;
    handler_type handler = std::move(head.handler);
    const std::size_t n = head.n;
    waiters_.erase(waiters_.begin());
    if (doomed) {
      complete(std::move(handler), errc::exceeds_capacity, 0);
    } else {
      in_use_ += n;
      complete(std::move(handler), {}, n);
    }
  }
}

void semaphore::release(std::size_t n) noexcept {
  std::lock_guard lock(mutex_);
  COHORT_ASSERT(n <= in_use_);
  in_use_ -= n;
  pump();
}

bool semaphore::grow(std::size_t n, bool overdraw) noexcept {
  std::lock_guard lock(mutex_);
  if (!overdraw && (!waiters_.empty() || n > available_locked())) return false;
  in_use_ += n;
  return true;
}

void semaphore::consume(std::size_t n) noexcept {
  std::lock_guard lock(mutex_);
  COHORT_ASSERT(n <= in_use_);
  in_use_ -= n;
  const std::size_t spent = std::min(n, capacity_);
  capacity_ -= spent;
  consumed_ += n;
  pump();  // fails the waiters that can no longer ever fit
}

// permit

semaphore::permit::permit(permit&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), size_(std::exchange(other.size_, 0)) {}

semaphore::permit& semaphore::permit::operator=(permit&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

semaphore::permit::~permit() { release(); }

void semaphore::permit::release() noexcept {
  if (!owner_) return;
  std::exchange(owner_, nullptr)->release(std::exchange(size_, 0));
}

void semaphore::permit::resize(std::size_t n) noexcept {
  COHORT_ASSERT(owner_ != nullptr);
  if (n < size_) {
    owner_->release(size_ - n);
  } else if (n > size_) {
    owner_->grow(n - size_, true);
  }
  size_ = n;
}

bool semaphore::permit::try_resize(std::size_t n) noexcept {
  COHORT_ASSERT(owner_ != nullptr);
  if (n > size_ && !owner_->grow(n - size_, false)) return false;
  if (n < size_) owner_->release(size_ - n);
  size_ = n;
  return true;
}

void semaphore::permit::consume() noexcept {
  if (!owner_) return;
  std::exchange(owner_, nullptr)->consume(std::exchange(size_, 0));
}

} // namespace cohort
