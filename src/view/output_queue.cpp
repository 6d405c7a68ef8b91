// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "view/output_queue.hpp"

#include "common/private_file.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <utility>

#include <poll.h>
#include <unistd.h>

namespace cohort::detail {
namespace {

// Past this, lines are written without waiting for the end of the turn.
constexpr std::size_t turn_limit = 64 * 1024;
// Past this, while the output is full, new lines are counted instead of kept.
constexpr std::size_t kept_limit = 1024 * 1024;
// When a full output is tried again: soon after it took something (its reader is reading),
// else a little later.
constexpr std::chrono::milliseconds retry_soon{1}, retry_later{20};

} // namespace

std::shared_ptr<output_queue> output_queue::make(boost::asio::any_io_executor ex, int fd,
                                                 std::function<std::string(std::size_t)> dropped) {
  return std::make_shared<output_queue>(std::move(ex), fd, std::move(dropped));
}

output_queue::output_queue(boost::asio::any_io_executor ex, int fd,
                           std::function<std::string(std::size_t)> dropped)
    : fd_(fd), dropped_text_(std::move(dropped)), retry_(std::move(ex)) {}

void output_queue::line(std::string_view text) {
  const std::lock_guard lock(mutex_);
  if (closed_) return;
  if (waiting_ && bytes_.size() >= kept_limit) ++dropped_;
  else bytes_ += text;
  if (waiting_ || posted_) return;
  if (bytes_.size() > turn_limit) return write_or_wait();
  posted_ = true;
  // The post holds the queue, not its owner.
  boost::asio::post(retry_.get_executor(), [self = shared_from_this()] {
    const std::lock_guard posted_lock(self->mutex_);
    if (!self->closed_) self->write_or_wait();
  });
}

void output_queue::flush() {
  const std::lock_guard lock(mutex_);
  if (!closed_ && !waiting_) write_or_wait();
}

bool output_queue::idle() {
  const std::lock_guard lock(mutex_);
  return bytes_.empty();
}

bool output_queue::frame(std::string_view text, bool always) {
  const std::lock_guard lock(mutex_);
  if (closed_ || (!always && !bytes_.empty())) return false;
  bytes_ += text;
  write_or_wait();
  return true;
}

void output_queue::close(std::string_view last) {
  const std::lock_guard lock(mutex_);
  if (closed_) return;
  closed_ = true;
  retry_.cancel();
  bytes_ += last;
  if (dropped_ > 0) bytes_ += dropped_text_(std::exchange(dropped_, 0));
  if (fd_ >= 0) (void)write_all(fd_, bytes_);  // a closed output loses the text, never the run
  bytes_.clear();
}

// How much to write from `at`: what a pipe that says "writable" takes at once (PIPE_BUF), ended
// at a line's end where one is in it, so that another writer of the same pipe (`2>&1`) meets
// this one between lines, as with one write per line.
std::size_t output_queue::chunk_at(std::size_t at) const noexcept {
  const std::size_t left = bytes_.size() - at;
  if (left <= PIPE_BUF) return left;
  const std::size_t nl = std::string_view(bytes_).substr(at, PIPE_BUF).rfind('\n');
  return nl == std::string_view::npos ? PIPE_BUF : nl + 1;
}

// Writes what the output takes now; true when nothing is left. `took`: whether it took any.
bool output_queue::write_ready(bool* took) {
  std::size_t done = 0;
  while (fd_ >= 0 && done < bytes_.size()) {
    pollfd p{fd_, POLLOUT, 0};
    const int ready = ::poll(&p, 1, 0);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) break;  // full: later
    if (ready < 0 || (p.revents & POLLNVAL) != 0) {
      done = bytes_.size();  // no output: the text is lost, never the run
      break;
    }
    // Writable, or its reader is gone (POLLERR, POLLHUP): then the write fails at once, and
    // SIGPIPE tells the host, as a plain write would.
    const ssize_t n = ::write(fd_, bytes_.data() + done, chunk_at(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {
      done = bytes_.size();
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (took) *took = done > 0;
  bytes_.erase(0, fd_ >= 0 ? done : bytes_.size());
  if (!bytes_.empty()) return false;
  if (dropped_ == 0) return true;
  bytes_ = dropped_text_(std::exchange(dropped_, 0));
  return write_ready();
}

// From the event loop: what the output takes now; the rest when the timer finds room.
void output_queue::write_or_wait() {
  posted_ = false;
  bool took = false;
  if (write_ready(&took) || waiting_) return;
  waiting_ = true;
  retry_.expires_after(took ? retry_soon : retry_later);
  retry_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: closed, and close() wrote the rest
    const std::lock_guard lock(self->mutex_);
    self->waiting_ = false;
    if (!self->closed_) self->write_or_wait();
  });
}

} // namespace cohort::detail
