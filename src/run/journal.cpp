// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/journal.hpp>

#include <cohort/process/process.hpp>
#include <cohort/run/plan_identity.hpp>

#include "common/json_writer.hpp"
#include "common/private_file.hpp"
#include "common/system_errors.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <exception>
#include <fstream>
#include <mutex>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cohort {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr std::size_t write_threshold = 64 * 1024;  // pending bytes written without waiting
constexpr std::size_t max_message = 4096;           // longer event messages are cut

using detail::last_error;
using detail::write_all;

// Cuts an unterminated last line (a write torn by a crash) so that appending stays line-safe.
void cut_torn_tail(int fd, const fs::path& file) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw system_error(last_error(), "cohort: cannot stat " + file.string());
  off_t end = st.st_size;
  char c = '\n';
  while (end > 0 && ::pread(fd, &c, 1, end - 1) == 1 && c != '\n') --end;
  if (end != st.st_size && ::ftruncate(fd, end) != 0) {
    throw system_error(last_error(), "cohort: cannot cut the torn end of " + file.string());
  }
}

// Makes a new directory entry durable.
void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw system_error(last_error(), "cohort: cannot open " + dir.string());
  const int rc = ::fsync(fd);
  const error_code ec = rc == 0 ? error_code() : last_error();
  ::close(fd);
  if (ec) throw system_error(ec, "cohort: cannot sync " + dir.string());
}

std::uint64_t now_ms() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

json::object options_json(const executor_options& o) {
  const auto& s = o.schedule;
  return {{"max_running", s.max_running},
          {"max_per_parent", s.max_per_parent},
          {"token_budget", s.token_budget},
          {"launch_interval_ms", s.launch_interval.count()},
          {"parent_stagger_ms", s.parent_stagger.count()},
          {"waves", s.mode == wave_mode::waves},
          {"retries", o.retry.retries},
          {"timeout_ms", o.timeout.count()},
          {"fail_fast", o.fail_fast},
          {"seed", o.seed},
          {"finished", o.finished.size()},
          {"tokens_spent", o.tokens_spent}};
}

std::string header_line(const plan& p, const executor_options& o, int run) {
  const json::object header{{"journal", 1},
                            {"run", run},
                            {"time_ms", now_ms()},
                            {"pid", ::getpid()},
                            {"plan", to_json(identify(p))},
                            {"options", options_json(o)}};
  return json::serialize(header) + '\n';
}

// The number of runs already in the journal: its header lines.
int runs_in(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string line;
  int runs = 0;
  while (std::getline(in, line)) runs += line.starts_with("{\"journal\":") ? 1 : 0;
  return runs;
}

void add_launch_fields(detail::json_object_writer& o, const event& e, const std::string& id,
                       const fs::path& run_dir, const journal_options& jo) {
  o.number("pid", e.pid);
  o.number("pgid", e.pid);  // agents lead their own process group (process.hpp)
  o.number("start_time", e.start_time != 0 ? e.start_time : process_start_time(e.pid));
  if (!jo.agent_files) return;
  const std::string stem = agent_file_stem(run_dir, id, e.attempt);
  o.string("out", stem + ".out");
  o.string("err", stem + ".err");
}

// One line per event, written member by member (an object built per event was most of the
// journal's time on short jobs).
std::string event_line(const event& e, const plan& p, event::clock_type::time_point origin,
                       const fs::path& run_dir, const journal_options& jo) {
  using namespace std::chrono;
  std::string line;
  line.reserve(160);
  detail::json_object_writer o(line);
  o.string("e", to_string(e.kind));
  o.number("ms", std::int64_t{duration_cast<milliseconds>(e.at - origin).count()});
  if (e.task && *e.task < p.tasks.size()) o.string("task", p.tasks[*e.task].id);
  if (e.attempt != 0) o.number("attempt", e.attempt);
  if (e.kind == event_kind::wave_started || e.kind == event_kind::wave_finished) {
    o.number("wave", std::uint64_t{e.wave});
  }
  if (e.kind == event_kind::task_waiting) o.string("reason", to_string(e.reason));
  if (e.kind == event_kind::task_merge) {
    o.string("merge", to_string(e.merge));
    o.string("branch", e.branch);
    if (!e.commit.empty()) o.string("commit", e.commit);
  }
  if (!e.job.empty()) o.string("job", e.job);
  if (e.kind == event_kind::task_queued) o.string("job_state", e.job_state);
  if (e.tokens != 0) o.number("tokens", e.tokens);
  if (e.cost_usd != 0) o.number("cost_usd", e.cost_usd);
  if (e.kind == event_kind::task_usage && !e.usage_known) o.boolean("usage_known", false);
  if (e.delay.count() != 0) o.number("delay_ms", std::int64_t{e.delay.count()});
  if (e.kind == event_kind::task_launched && e.pid > 0 && e.task && *e.task < p.tasks.size()) {
    add_launch_fields(o, e, p.tasks[*e.task].id, run_dir, jo);
  }
  if (!e.message.empty()) o.string("message", std::string_view(e.message).substr(0, max_message));
  o.close();
  line += '\n';
  return line;
}

// Events after which a resume would act differently: written at once, not at the next launch.
bool decisive(event_kind k) noexcept {
  switch (k) {
    case event_kind::task_launched:
    case event_kind::task_usage:
    case event_kind::task_retry:
    case event_kind::task_succeeded:
    case event_kind::task_failed:
    case event_kind::task_skipped:
    case event_kind::task_cancelled:
    case event_kind::task_merge:
    case event_kind::task_queued:  // the job id: a resume finds the job by it
    case event_kind::run_finished: return true;
    default: return false;
  }
}

} // namespace

// --- journal -----------------------------------------------------------------------------------

journal::journal(run_dir_lock lock, const plan& p, const executor_options& options,
                 journal_options jo)
    : lock_(std::move(lock)), plan_(p), options_(std::move(jo)),
      origin_(event::clock_type::now()) {
  const fs::path f = file();
  fd_ = detail::open_private(f, O_RDWR | O_CREAT | O_APPEND);
  try {
    cut_torn_tail(fd_, f);
    pending_ = header_line(p, options, runs_in(f) + 1);
    flush();
    // The header holds the plan's identity (half a megabyte at 10,000 tasks): the event lines
    // after it need a few hundred bytes, not its capacity for the whole run.
    std::string().swap(pending_);
    sync_directory(lock_.run_dir());
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

// The launches waiting for the next fsync. Shared by the queued handler that runs it and by
// every waiter; the journal lets go of it when it runs, or when the journal goes first.
struct journal::commit {
  explicit commit(const boost::asio::any_io_executor& ex)
      : done_signal(ex, boost::asio::steady_timer::time_point::max()) {}
  boost::asio::steady_timer done_signal;  // cancelled once the commit ran
  std::mutex owner_mutex;  // the handler may run on another thread than the journal's destructor
  journal* owner = nullptr;
  // (set and read on the run's strand)
  bool done = false;
  std::size_t waiters = 0;  // the launches that joined
  std::size_t seen = 0;     // `waiters` when the handler last looked
  int rounds = 0;           // times the handler went back in the queue
  std::exception_ptr failure;

  static void run_when_quiet(const boost::asio::any_io_executor& ex, std::shared_ptr<commit> c);

  void run() {
    {
      const std::lock_guard lock(owner_mutex);
      if (owner) {
        try {
          owner->before_launch();
        } catch (...) {
          failure = std::current_exception();
        }
      } else {
        failure = std::make_exception_ptr(
            system_error(boost::asio::error::operation_aborted, "cohort: the journal was closed"));
      }
    }
    done = true;
    done_signal.cancel();
  }
};

journal::~journal() {
  if (const auto c = next_commit_.lock()) {
    const std::lock_guard lock(c->owner_mutex);
    c->owner = nullptr;
  }
  if (fd_ < 0) return;
  if (!error_) {
    error_ = write_all(fd_, pending_);
    if (!error_) ::fdatasync(fd_);
  }
  ::close(fd_);
}

fs::path journal::file() const { return journal_file(lock_.run_dir()); }

void journal::on_event(const event& e) {
  if (e.kind == event_kind::task_output) return;  // in the agent's output file
  try {
    pending_ += event_line(e, plan_, origin_, lock_.run_dir(), options_);
  } catch (const std::exception&) {
    if (!error_) error_ = make_error_code(boost::system::errc::not_enough_memory);
    return;
  }
  if (decisive(e.kind) || pending_.size() >= write_threshold) write_pending();
}

void journal::before_launch() {
  // A journal whose file is gone (the run dir removed under the run) records nothing a resume
  // could read: no agent starts unrecorded.
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && st.st_nlink == 0) {
    if (!error_) error_ = error_code(ENOENT, boost::system::generic_category());
    throw system_error(error_code(ENOENT, boost::system::generic_category()),
                       "cohort: the journal " + file().string() +
                           " was deleted (the run dir removed?): no agent starts unrecorded");
  }
  flush();
}

// The commit goes back to the end of the queue while the last pass brought it new launches: the
// handlers queued behind it (agents that ended while the last fsync held the loop, each a chain of
// handlers before it decides a launch) join it, and one fsync serves them all. A pass that brings
// none, or the 64th, runs it.
void journal::commit::run_when_quiet(const boost::asio::any_io_executor& ex, std::shared_ptr<commit> c) {
  boost::asio::post(ex, [ex, c = std::move(c)]() mutable {
    constexpr int max_rounds = 64;
    if (c->waiters != c->seen && c->rounds < max_rounds) {
      c->seen = c->waiters;
      ++c->rounds;
      run_when_quiet(ex, std::move(c));
      return;
    }
    c->run();
  });
}

boost::asio::awaitable<void> journal::until_recorded() {
  namespace asio = boost::asio;
  std::shared_ptr<commit> c = next_commit_.lock();
  if (!c || c->done) {  // done: a launch from here on waits for the next one
    // Queued behind the handlers already waiting: the launches they decide join this commit.
    const auto ex = co_await asio::this_coro::executor;
    c = std::make_shared<commit>(ex);
    c->owner = this;
    next_commit_ = c;
    commit::run_when_quiet(ex, c);
  }
  ++c->waiters;
  co_await c->done_signal.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!c->done) throw system_error(asio::error::operation_aborted, "cohort: waiting for the journal");
  if (c->failure) std::rethrow_exception(c->failure);
}

void journal::flush() {
  write_pending();
  if (!error_) sync();
  if (error_) throw system_error(error_, "cohort: cannot write the journal " + file().string());
}

void journal::write_pending() {
  if (error_ || pending_.empty()) return;
  error_ = write_all(fd_, pending_);
  pending_.clear();
  unsynced_ = true;
}

// Nothing written since the last fsync is durable already: no fsync then (and none measured:
// an fsync with nothing to write would make a disk look free).
void journal::sync() {
  if (!unsynced_) return;
  unsynced_ = false;
  const auto start = std::chrono::steady_clock::now();
  if (::fdatasync(fd_) != 0) error_ = last_error();
  const auto took = std::chrono::steady_clock::now() - start;
  if (next_sync_ == 0) syncs_.fill(took);  // the first: the estimate until the ring holds more
  syncs_[next_sync_++ % syncs_.size()] = took;
}

bool journal::groups_launches() const noexcept {
  switch (options_.group_commit) {
    case journal_options::grouping::always: return true;
    case journal_options::grouping::never: return false;
    case journal_options::grouping::automatic: break;
  }
  return *std::min_element(syncs_.begin(), syncs_.end()) > options_.group_commit_above;
}

} // namespace cohort
