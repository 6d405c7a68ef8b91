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

semaphore::semaphore(executor_type ex, std::size_t capacity)
    : executor_(std::move(ex)), capacity_(capacity) {}

semaphore::~semaphore() {
  for (auto& [priority, w] : waiters_) {
    w.handler.get_cancellation_slot().clear();
    complete(std::move(w.handler), asio::error::operation_aborted, 0);
  }
}

std::optional<semaphore::permit> semaphore::try_acquire(std::size_t n) {
  if (!waiters_.empty() || n > available()) return std::nullopt;
  in_use_ += n;
  return permit(*this, n);
}

semaphore_stats semaphore::stats() const noexcept {
  return {capacity_, in_use_, available(), waiters_.size(), consumed_};
}

void semaphore::initiate(std::size_t n, int priority, handler_type handler) {
  if (n > capacity_) return complete(std::move(handler), errc::exceeds_capacity, 0);
  if (waiters_.empty() && n <= available()) {
    in_use_ += n;
    return complete(std::move(handler), {}, n);
  }
  // Behind every waiter of the same or a higher priority: FIFO within a priority.
  auto it = waiters_.emplace(priority, waiter{n, std::move(handler)});
  auto slot = it->second.handler.get_cancellation_slot();
  if (slot.is_connected()) {
    slot.assign([this, it](asio::cancellation_type) { cancel_waiter(it); });
  }
}

void semaphore::cancel_waiter(waiter_list::iterator it) {
  handler_type handler = std::move(it->second.handler);
  handler.get_cancellation_slot().clear();  // destroys this very lambda: touch nothing after
  const bool was_head = it == waiters_.begin();
  waiters_.erase(it);
  complete(std::move(handler), asio::error::operation_aborted, 0);
  if (was_head) pump();  // a heavy head leaving may let the lighter ones behind it through
}

void semaphore::complete(handler_type handler, error_code ec, std::size_t n) {
  // The permit is made when the handler runs, so a handler destroyed unrun (its executor shut
  // down) never touches the semaphore.
  auto ex = asio::get_associated_executor(handler, executor_);
  asio::post(executor_, asio::bind_executor(ex, [this, h = std::move(handler), ec, n]() mutable {
               std::move(h)(ec, ec ? permit() : permit(*this, n));
             }));
}

void semaphore::pump() noexcept {
  while (!waiters_.empty()) {
    waiter& head = waiters_.begin()->second;
    const bool doomed = head.n > capacity_;
    if (!doomed && head.n > available()) return;
    handler_type handler = std::move(head.handler);
    const std::size_t n = head.n;
    handler.get_cancellation_slot().clear();
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
  COHORT_ASSERT(n <= in_use_);
  in_use_ -= n;
  pump();
}

bool semaphore::grow(std::size_t n, bool overdraw) noexcept {
  if (!overdraw && (!waiters_.empty() || n > available())) return false;
  in_use_ += n;
  return true;
}

void semaphore::consume(std::size_t n) noexcept {
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
