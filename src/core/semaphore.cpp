// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/core/semaphore.hpp>

#include <boost/asio/error.hpp>

#include <algorithm>

namespace cohort {
namespace asio = boost::asio;

semaphore::semaphore(executor_type ex, std::size_t capacity)
    : executor_(std::move(ex)), capacity_(capacity) {}

semaphore::~semaphore() {
  std::lock_guard lock(mutex_);
  waiters_.abort_all(executor_);
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
  auto w = waiter_queue::make(n, std::move(handler),
                              [this](const waiter_queue::pointer& self) { cancel_waiter(self); });
  std::lock_guard lock(mutex_);
  if (n > capacity_) return complete(std::move(w->handler), errc::exceeds_capacity, 0);
  if (waiters_.empty() && n <= available_locked()) {
    in_use_ += n;
    return complete(std::move(w->handler), {}, n);
  }
  waiters_.push(priority, w);  // behind every waiter of the same or a higher priority
}

// Runs on the waiter's executor (where its cancellation is emitted).
void semaphore::cancel_waiter(const waiter_queue::pointer& w) {
  std::lock_guard lock(mutex_);
  if (waiters_.cancel(w, executor_)) pump();  // a heavy head leaving may let lighter ones through
}

void semaphore::complete(handler_type handler, error_code ec, std::size_t n) {
  // The permit is made when the handler runs, so a handler destroyed unrun never touches the
  // semaphore.
  waiter_queue::complete(executor_, std::move(handler), [this, ec, n](handler_type h) {
    std::move(h)(ec, ec ? permit() : permit(*this, n));
  });
}

void semaphore::pump() noexcept {
  while (!waiters_.empty()) {
    const std::size_t n = waiters_.front().data;
    const bool doomed = n > capacity_;
    if (!doomed && n > available_locked()) return;
    handler_type handler = waiters_.pop_front();
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
