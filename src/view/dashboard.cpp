// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/view/dashboard.hpp>

#include <boost/asio/post.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <string_view>
#include <utility>

#include <climits>

#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace cohort {
namespace {

// The terminal's size: TIOCGWINSZ, else $COLUMNS / $LINES, else 80 x 24.
std::pair<std::size_t, std::size_t> terminal_size(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
    return {ws.ws_col, ws.ws_row};
  }
  auto env = [](const char* name, std::size_t fallback) {
    const char* v = std::getenv(name);
    const long n = v ? std::strtol(v, nullptr, 10) : 0;
    return n > 0 ? static_cast<std::size_t>(n) : fallback;
  };
  return {env("COLUMNS", 80), env("LINES", 24)};
}

// Writes all of `bytes` to `fd`; a closed or full output loses them, never the run.
void write_all(int fd, std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

// Past this, plain lines are written without waiting for the end of the turn.
constexpr std::size_t pending_limit = 64 * 1024;
// Past this, while the output is full, new lines are counted instead of kept.
constexpr std::size_t kept_limit = 1024 * 1024;
// When a full output is tried again: soon after it took something (its reader is reading),
// else a little later.
constexpr std::chrono::milliseconds retry_soon{1}, retry_later{20};

} // namespace

// The dashboard's output on its way: plain style's lines (those of one turn of the event loop
// go in one write posted to its end) and live style's frames. A pipe or terminal that takes no
// more (its reader stopped reading, Ctrl-S) is never waited for on the event loop: it is asked
// with poll(), written at most PIPE_BUF bytes at a time (what a pipe that says "writable" takes
// without blocking), and tried again by a timer (1 ms after it took something, else 20 ms); past
// `kept_limit` the lines are counted, and a line says how many were not shown. The output's
// mode is left as it is (O_NONBLOCK would change it for the shell that shares it). The mutex
// keeps a write posted to a multi-threaded executor from meeting the run's strand.
struct dashboard::pending_lines : std::enable_shared_from_this<pending_lines> {
  pending_lines(boost::asio::any_io_executor ex, int out) : fd(out), retry(std::move(ex)) {}
  const int fd;
  std::mutex mutex;
  std::string bytes;
  bool posted = false;   // a write at the end of the turn is posted
  bool waiting = false;  // the output is full: the timer tries again
  std::size_t dropped = 0;
  boost::asio::steady_timer retry;

  // The rest under `mutex`.
  void add(std::string_view line) {
    if (waiting && bytes.size() >= kept_limit) ++dropped;
    else bytes += line;
  }

  // Writes what the output takes now; true when nothing is left. `took`: whether it took any.
  bool write_ready(bool* took = nullptr) {
    std::size_t done = 0;
    while (fd >= 0 && done < bytes.size()) {
      pollfd p{fd, POLLOUT, 0};
      const int ready = ::poll(&p, 1, 0);
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) break;  // full: later
      if (ready < 0 || (p.revents & POLLNVAL) != 0) {
        done = bytes.size();  // no output: the lines are lost, never the run
        break;
      }
      // Writable, or its reader is gone (POLLERR, POLLHUP): then the write fails at once, and
      // SIGPIPE tells the host, as a plain write would.
      const ssize_t n = ::write(fd, bytes.data() + done, std::min<std::size_t>(bytes.size() - done, PIPE_BUF));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n <= 0) {
        done = bytes.size();
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    if (took) *took = done > 0;
    bytes.erase(0, fd >= 0 ? done : bytes.size());
    if (!bytes.empty()) return false;
    if (dropped == 0) return true;
    bytes = dropped_line();
    return write_ready();
  }

  // The line that says how many were not kept (and forgets them).
  std::string dropped_line() {
    return fmt::format("cohort: {} line(s) of this log not shown: its reader did not keep up\n",
                       std::exchange(dropped, 0));
  }

  // From the event loop: what the output takes now; the rest when the timer finds room.
  void write_or_wait() {
    posted = false;
    bool took = false;
    if (write_ready(&took) || waiting) return;
    waiting = true;
    retry.expires_after(took ? retry_soon : retry_later);
    retry.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec) return;  // cancelled: the dashboard is gone, and its destructor wrote the rest
      const std::lock_guard lock(self->mutex);
      self->waiting = false;
      self->write_or_wait();
    });
  }

  // The dashboard's end: everything left, waiting for the output if it must.
  void write_all_now() {
    retry.cancel();
    waiting = false;
    if (dropped > 0) bytes += dropped_line();
    write_all(fd, bytes);
    bytes.clear();
  }
};

dashboard::dashboard(boost::asio::any_io_executor ex, const plan& p, dashboard_options options)
    : plan_(p),
      options_(std::move(options)),
      live_(options_.style == dashboard_style::live ||
            (options_.style == dashboard_style::automatic && wants_live(options_.fd))),
      timer_(std::move(ex)),
      tasks_(p.size()),
      wave_(waves(p)),
      wave_count_(p.size(), 0),
      current_wave_(p.size(), 0),
      share_(p.size(), 0),
      wall_epoch_(std::chrono::system_clock::now()),
      steady_epoch_(clock_type::now()),
      pending_(std::make_shared<pending_lines>(timer_.get_executor(), options_.fd)) {
  for (task_index t = 0; t < p.size(); ++t) {
    if (p.tasks[t].parent) {
      auto& n = wave_count_[*p.tasks[t].parent];
      n = std::max(n, wave_[t] + 1);
    }
    const bool done = is_finished(p.tasks[t].status) ||
                      (p.tasks[t].parent && is_finished(p.tasks[*p.tasks[t].parent].status));
    if (done) tasks_[t].st = state::already_done;
    if (!done && p.tasks[t].is_job()) ++jobs_;
  }
  for (const auto& s : options_.shares) {
    if (s.parent < share_.size()) share_[s.parent] = s.tokens;
  }
  if (options_.prediction) {
    for (task_index t = 0; t < p.size() && t < options_.prediction->tasks.size(); ++t) {
      const auto& f = options_.prediction->tasks[t].finish;
      if (f && p.tasks[t].is_job() && tasks_[t].st != state::already_done) predicted_finish_.push_back(f->count());
    }
    std::sort(predicted_finish_.begin(), predicted_finish_.end());
  }
}

dashboard::~dashboard() {
  timer_.cancel();
  const std::lock_guard lock(pending_->mutex);
  if (live_ && drawn_lines_ > 0 && !finished_run_) pending_->bytes += "\x1b[?25h";  // the cursor back
  pending_->write_all_now();
}

bool dashboard::wants_live(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  if (no_color && *no_color) return false;
  if (!term || std::string_view(term) == "dumb" || std::string_view(term).empty()) return false;
  return ::isatty(fd) == 1;
}

void dashboard::on_event(const event& e) {
  apply(e);
  if (!live_) {
    queue(plain_line(e) + '\n');
    if (e.kind == event_kind::run_finished) flush();
    return;
  }
  if (e.kind == event_kind::run_started) {
    draw(false);
    schedule_frame();
  } else if (e.kind == event_kind::run_finished) {
    timer_.cancel();
    draw(true);
  }
}

void dashboard::note(std::string text) {
  if (!live_) {
    queue(stamp(clock_type::now()) + " note: " + text + '\n');
    flush();  // a warning is not kept waiting
    return;
  }
  notes_.push_back(std::move(text));
  if (notes_.size() > 3) notes_.pop_front();
}

void dashboard::apply(const event& e) {
  if (!e.task) {
    if (e.kind == event_kind::run_started) started_ = last_finish_ = e.at;
    if (e.kind == event_kind::run_finished) finished_run_ = true;
    running_run_ = e.kind == event_kind::run_started;
    return;
  }
  const task_index t = *e.task;
  task_view& v = tasks_[t];
  switch (e.kind) {
    case event_kind::parent_started: v.st = state::running; v.since = e.at; break;
    case event_kind::wave_started: current_wave_[t] = e.wave; break;
    case event_kind::task_ready: v.st = state::ready; v.since = e.at; break;
    case event_kind::task_waiting:
      v.st = state::waiting;
      v.reason = e.reason;
      v.since = e.at;
      // A run-wide pause after a rate limit: said once per pause, with how many agents may run.
      if (e.reason == wait_reason::rate_limit && e.at + e.delay > paused_until_ + std::chrono::seconds(1)) {
        paused_until_ = e.at + e.delay;
        note(fmt::format("rate limited: launches paused for {:.1f} s; then {}",
                         std::chrono::duration<double>(e.delay).count(), e.message));
      }
      break;
    case event_kind::task_queued:
      v.job = e.job;
      if (e.job_state != "PENDING") break;  // RUNNING: its task_launched follows
      v.st = state::waiting;
      v.reason = wait_reason::queued;
      v.why = e.message.empty() ? e.job_state : e.job_state + " (" + e.message + ")";
      v.since = e.at;
      break;
    case event_kind::task_launched:
      v.st = state::running; v.since = e.at; v.attempt = e.attempt; v.last_line.clear();
      v.agent = true;
      v.job = e.job;
      v.merge.reset();
      ++running_;
      break;
    case event_kind::task_output: v.last_line = e.message; break;
    case event_kind::task_merge:
      v.merge = e.merge;
      v.last_line = merge_text(e.merge, e.branch, e.commit, e.message);
      break;
    case event_kind::task_usage:
      attempt_ended(t, e.at);
      v.tokens += e.tokens;
      tokens_ += e.tokens;
      break;
    case event_kind::task_retry: v.st = state::backoff; v.since = e.at; v.why = e.message; break;
    case event_kind::task_succeeded: finish_task(e, state::succeeded); break;
    case event_kind::task_failed: finish_task(e, state::failed); break;
    case event_kind::task_skipped: finish_task(e, state::skipped); break;
    case event_kind::task_cancelled: finish_task(e, state::cancelled); break;
    default: break;
  }
}

// An attempt is over (its usage came, or it was cancelled): its agent time counts as work done.
void dashboard::attempt_ended(task_index t, clock_type::time_point at) {
  task_view& v = tasks_[t];
  if (!v.agent) return;
  v.agent = false;
  busy_done_ += at - v.since;
  --running_;
  v.st = state::ready;
  v.since = at;
}

void dashboard::finish_task(const event& e, state s) {
  const task_index t = *e.task;
  attempt_ended(t, e.at);
  task_view& v = tasks_[t];
  const bool counted = v.st == state::succeeded || v.st == state::failed ||
                       v.st == state::skipped || v.st == state::cancelled ||
                       v.st == state::already_done;
  v.st = s;
  v.since = e.at;
  v.why = e.message;
  if (counted || !plan_.tasks[t].is_job()) return;
  ++jobs_finished_;
  last_finish_ = e.at;
  if (s == state::failed) ++failed_;
}

void dashboard::schedule_frame() {
  timer_.expires_after(options_.refresh);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || finished_run_) return;  // cancelled: `this` may be gone
    draw(false);
    schedule_frame();
  });
}

// One frame, one write: back to the frame's first line, every line cleared to its end, the rest
// of the old frame cleared when the new one is shorter. A terminal that takes no more (paused
// with Ctrl-S, a stalled link) is never waited for: the frame waits with the plain style's
// lines, and the frames that come meanwhile are skipped (the next one after it is out shows what
// is then true). Every frame goes out whole, so `drawn_lines_` is where the cursor will be.
void dashboard::draw(bool last) {
  const std::lock_guard lock(pending_->mutex);
  if (!last && !pending_->bytes.empty()) return;
  const auto [width, height] = terminal_size(options_.fd);
  const auto lines = frame(width, height, clock_type::now());
  std::string out = drawn_lines_ > 0 ? "\r\x1b[" + std::to_string(drawn_lines_) + "A" : "\x1b[?25l";
  for (const auto& line : lines) out += colorize(line) + "\x1b[K\n";
  if (lines.size() < drawn_lines_) out += "\x1b[J";
  if (last) out += "\x1b[?25h";
  drawn_lines_ = lines.size();
  pending_->bytes += out;  // never counted away, as a line may be: a frame is always whole
  pending_->write_or_wait();
}

// One write for the turn's lines: posted when the first comes (the post holds the lines, not
// `this`); none while the output is full (its timer writes them).
void dashboard::queue(std::string_view line) {
  const std::lock_guard lock(pending_->mutex);
  pending_lines& p = *pending_;
  p.add(line);
  if (p.waiting || p.posted) return;
  if (p.bytes.size() > pending_limit) return p.write_or_wait();
  p.posted = true;
  boost::asio::post(timer_.get_executor(), [pending = pending_] {
    const std::lock_guard posted_lock(pending->mutex);
    pending->write_or_wait();
  });
}

void dashboard::flush() {
  const std::lock_guard lock(pending_->mutex);
  if (!pending_->waiting) pending_->write_or_wait();
}

} // namespace cohort
