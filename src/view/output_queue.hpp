// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_VIEW_OUTPUT_QUEUE_HPP
#define COHORT_SRC_VIEW_OUTPUT_QUEUE_HPP

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace cohort::detail {

/// What an observer writes to a file descriptor (standard output, most often), on its way: never
/// waited for on the event loop, whoever reads it and however slowly.
/**
 * Lines of one turn of the event loop go out in one `write` posted to its end. An output that
 * takes no more (a pipe whose reader stopped reading, a terminal paused with Ctrl-S) is asked
 * with `poll()`, written at most `PIPE_BUF` bytes at a time (what a pipe that says "writable"
 * takes without blocking; whole lines where they fit, so another writer of the same pipe meets
 * these between lines) and tried again by a timer on the executor (1 ms after it took
 * something, else 20 ms). Past 1 MiB waiting, new lines are counted instead of kept, and the
 * text `dropped(n)` says how many once the output took the rest. A frame (`frame()`) is never
 * counted away: it goes out whole or is not queued. A reader that is gone still gets the write,
 * so SIGPIPE and EPIPE reach the host as with a plain `write`. The output's mode is left alone
 * (O_NONBLOCK would change it for the shell that shares it).
 *
 * Shared (`std::shared_ptr`) with the writes it posts and its timer, so that it may outlive its
 * owner by a turn of the event loop; its owner calls `close()` when it is done. Safe on any
 * executor: every member takes the mutex, and the posted work and the timer's handler do too.
 */
class output_queue : public std::enable_shared_from_this<output_queue> {
public:
  /// Writes to `fd` (none when negative: everything is discarded), its timer on `ex`.
  /// `dropped(n)`: the text that says `n` lines were not kept.
  static std::shared_ptr<output_queue> make(boost::asio::any_io_executor ex, int fd,
                                            std::function<std::string(std::size_t)> dropped);
  output_queue(boost::asio::any_io_executor ex, int fd,
               std::function<std::string(std::size_t)> dropped);

  /// Adds a line (or several, with their newlines), written at the end of this turn of the event
  /// loop; counted, not kept, while the output is full and 1 MiB waits.
  void line(std::string_view text);
  /// Writes what waits now, as far as the output takes it (a warning is not kept waiting).
  void flush();
  /// True when nothing waits (a frame would be drawn now).
  bool idle();
  /// Adds `text` whole and writes what the output takes now; unless `always`, nothing is added
  /// while something still waits (false then: the frame is skipped).
  bool frame(std::string_view text, bool always);
  /// The end: adds `last`, then writes everything, waiting for the output if it must. Nothing
  /// is written after it.
  void close(std::string_view last = {});

private:
  std::size_t chunk_at(std::size_t at) const noexcept;
  bool write_ready(bool* took = nullptr);
  void write_or_wait();

  const int fd_;
  const std::function<std::string(std::size_t)> dropped_text_;
  std::mutex mutex_;
  std::string bytes_;
  bool posted_ = false;   // a write at the end of the turn is posted
  bool waiting_ = false;  // the output is full: the timer tries again
  bool closed_ = false;
  std::size_t dropped_ = 0;
  boost::asio::steady_timer retry_;
};

} // namespace cohort::detail

#endif
