// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/journal.hpp>

#include "procfs.hpp"

#include <cohort/process_launcher.hpp>
#include <cohort/plan_json.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cohort {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr std::size_t write_threshold = 64 * 1024;  // pending bytes written without waiting
constexpr std::size_t max_message = 4096;           // longer event messages are cut

error_code last_error() { return {errno, boost::system::system_category()}; }

[[noreturn]] void fail(const error_code& ec, const std::string& what) {
  throw system_error(ec, what);
}

std::uint64_t fnv1a(std::string_view text, std::uint64_t h = 14695981039346656037ULL) {
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string hex(std::uint64_t v) { return fmt::format("{:016x}", v); }

std::uint64_t from_hex(std::string_view s) {
  std::uint64_t v = 0;
  for (char c : s) {
    const int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    if (c < '0' || d < 0 || d > 15) throw std::invalid_argument("not a hex number");
    v = v * 16 + static_cast<std::uint64_t>(d);
  }
  return v;
}

// write(2) until everything is written, retrying interruptions.
error_code write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return last_error();
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

// Cuts an unterminated last line (a write torn by a crash) so that appending stays line-safe.
void cut_torn_tail(int fd, const fs::path& file) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail(last_error(), "cohort: cannot stat " + file.string());
  off_t end = st.st_size;
  char c = '\n';
  while (end > 0 && ::pread(fd, &c, 1, end - 1) == 1 && c != '\n') --end;
  if (end != st.st_size && ::ftruncate(fd, end) != 0) {
    fail(last_error(), "cohort: cannot cut the torn end of " + file.string());
  }
}

// Makes a new directory entry durable.
void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail(last_error(), "cohort: cannot open " + dir.string());
  const int rc = ::fsync(fd);
  const error_code ec = rc == 0 ? error_code() : last_error();
  ::close(fd);
  if (ec) fail(ec, "cohort: cannot sync " + dir.string());
}

std::uint64_t task_fingerprint(json::object o) {
  o.erase("status");
  o.erase("subtasks");
  return fnv1a(json::serialize(o));
}

std::uint64_t now_ms() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

json::object identity_json(const plan_identity& id) {
  json::object tasks;
  for (const auto& [k, v] : id.tasks) tasks[k] = hex(v);
  return {{"path", id.path}, {"tag", id.tag}, {"hash", hex(id.hash)}, {"tasks", std::move(tasks)}};
}

plan_identity identity_of(const json::object& o) {
  plan_identity id;
  id.path = json::value_to<std::string>(o.at("path"));
  id.tag = json::value_to<std::string>(o.at("tag"));
  id.hash = from_hex(o.at("hash").as_string());
  for (const auto& [k, v] : o.at("tasks").as_object()) id.tasks[k] = from_hex(v.as_string());
  return id;
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
                            {"plan", identity_json(identify(p))},
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

void add_launch_fields(json::object& o, const event& e, const std::string& id,
                       const journal_options& jo) {
  o["pid"] = e.pid;
  o["pgid"] = e.pid;  // agents lead their own process group (process.hpp)
  o["start_time"] = process_start_time(e.pid);
  if (jo.agent_output_dir.empty()) return;
  const fs::path stem = agent_output_stem(jo.agent_output_dir, id, e.attempt);
  o["out"] = stem.string() + ".out";
  o["err"] = stem.string() + ".err";
}

std::string event_line(const event& e, const plan& p, event::clock_type::time_point origin,
                        const journal_options& jo) {
  using namespace std::chrono;
  json::object o{{"e", to_string(e.kind)},
                 {"ms", duration_cast<milliseconds>(e.at - origin).count()}};
  if (e.task && *e.task < p.tasks.size()) o["task"] = p.tasks[*e.task].id;
  if (e.attempt != 0) o["attempt"] = e.attempt;
  if (e.kind == event_kind::wave_started || e.kind == event_kind::wave_finished) o["wave"] = e.wave;
  if (e.kind == event_kind::task_waiting) o["reason"] = to_string(e.reason);
  if (e.tokens != 0) o["tokens"] = e.tokens;
  if (e.delay.count() != 0) o["delay_ms"] = e.delay.count();
  if (e.kind == event_kind::task_launched && e.pid > 0 && e.task && *e.task < p.tasks.size()) {
    add_launch_fields(o, e, p.tasks[*e.task].id, jo);
  }
  if (!e.message.empty()) o["message"] = std::string_view(e.message).substr(0, max_message);
  return json::serialize(o) + '\n';
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
    case event_kind::run_finished: return true;
    default: return false;
  }
}

} // namespace

// --- plan identity -----------------------------------------------------------------------------

plan_identity identify(const plan& p) {
  plan_identity id;
  id.path = p.source;
  id.tag = p.tag;
  const json::value doc = to_json(p);
  std::uint64_t h = fnv1a("cohort-plan");
  auto add = [&](const json::object& o) {
    const std::string task_id = json::value_to<std::string>(o.at("id"));
    const std::uint64_t fp = task_fingerprint(o);
    id.tasks[task_id] = fp;
    h = fnv1a(task_id + '\0' + hex(fp) + '\n', h);
  };
  for (const auto& t : doc.at("tasks").as_array()) {
    add(t.as_object());
    if (const auto* subs = t.as_object().if_contains("subtasks")) {
      for (const auto& s : subs->as_array()) add(s.as_object());
    }
  }
  id.hash = h;
  return id;
}

// --- run dir lock ------------------------------------------------------------------------------

run_dir_lock::run_dir_lock(fs::path run_dir) : run_dir_(std::move(run_dir)) {
  std::error_code mk;
  fs::create_directories(run_dir_, mk);
  if (mk) fail(error_code(mk.value(), boost::system::system_category()),
               "cohort: cannot create the run dir " + run_dir_.string());
  const fs::path file = run_dir_ / "journal.lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) fail(last_error(), "cohort: cannot open " + file.string());
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const error_code ec = errno == EWOULDBLOCK
        ? error_code(EBUSY, boost::system::generic_category()) : last_error();
    char holder[32] = {};
    (void)::pread(fd_, holder, sizeof holder - 1, 0);
    ::close(fd_);
    fail(ec, fmt::format("cohort: the run dir {} is in use by another run (pid {})",
                         run_dir_.string(), std::string_view(holder).substr(0, 20)));
  }
  const std::string pid = std::to_string(::getpid()) + '\n';
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    const error_code ec = last_error();
    ::close(fd_);
    fail(ec, "cohort: cannot write " + file.string());
  }
}

run_dir_lock::run_dir_lock(run_dir_lock&& other) noexcept
    : run_dir_(std::move(other.run_dir_)), fd_(std::exchange(other.fd_, -1)) {}

run_dir_lock::~run_dir_lock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

// --- journal -----------------------------------------------------------------------------------

journal::journal(run_dir_lock lock, const plan& p, const executor_options& options,
                 journal_options jo)
    : lock_(std::move(lock)), plan_(p), options_(std::move(jo)),
      origin_(event::clock_type::now()) {
  const fs::path f = file();
  fd_ = ::open(f.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) fail(last_error(), "cohort: cannot open the journal " + f.string());
  try {
    cut_torn_tail(fd_, f);
    pending_ = header_line(p, options, runs_in(f) + 1);
    flush();
    sync_directory(lock_.run_dir());
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

journal::~journal() {
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
    pending_ += event_line(e, plan_, origin_, options_);
  } catch (const std::exception&) {
    if (!error_) error_ = make_error_code(boost::system::errc::not_enough_memory);
    return;
  }
  if (decisive(e.kind) || pending_.size() >= write_threshold) write_pending();
}

void journal::before_launch() { flush(); }

void journal::flush() {
  write_pending();
  if (!error_) sync();
  if (error_) fail(error_, "cohort: cannot write the journal " + file().string());
}

void journal::write_pending() {
  if (error_ || pending_.empty()) return;
  error_ = write_all(fd_, pending_);
  pending_.clear();
}

void journal::sync() {
  if (::fdatasync(fd_) != 0) error_ = last_error();
}

fs::path journal_file(const fs::path& run_dir) { return run_dir / "journal.jsonl"; }

std::string run_dir_marker(const fs::path& run_dir) {
  return fs::weakly_canonical(fs::absolute(run_dir)).string();
}

// --- process start times -----------------------------------------------------------------------

std::uint64_t process_start_time(int pid) {
  if (pid <= 0) return 0;
  const auto s = detail::read_proc_stat(pid);
  return s ? s->start_time : 0;  // a zombie too: its pid is not free until it is reaped
}

// --- reading back ------------------------------------------------------------------------------

std::string_view to_string(journal_task_state s) noexcept {
  switch (s) {
    case journal_task_state::pending: return "pending";
    case journal_task_state::running: return "running";
    case journal_task_state::succeeded: return "succeeded";
    case journal_task_state::failed: return "failed";
    case journal_task_state::skipped: return "skipped";
    case journal_task_state::cancelled: return "cancelled";
  }
  return "unknown";
}

namespace {

// Folds journal records into a state, one line at a time.
class state_builder {
public:
  explicit state_builder(journal_state& s) : s_(s) {}

  void apply(const json::object& o) {
    if (o.contains("journal")) return header(o);
    const std::string_view kind = o.at("e").as_string();
    if (kind == "run_finished") return run_finished();
    if (!o.contains("task")) return;
    const std::string id = json::value_to<std::string>(o.at("task"));
    auto& t = s_.tasks[id];
    if (kind == "task_launched") return launched(o, id, t);
    if (kind == "task_usage") return usage(o, id, t);
    const auto outcome = outcome_of(kind);
    if (outcome) ended(id, t, *outcome);
  }

  // An agent that never reported its usage spent (at most, and so counted as) its reservation.
  void finish() {
    for (std::size_t i = 0; i < s_.agents.size(); ++i) {
      if (!used_[i]) s_.tasks[s_.agents[i].task].tokens += s_.agents[i].reserved;
    }
    s_.tokens_spent = 0;
    for (const auto& [id, t] : s_.tasks) s_.tokens_spent += t.tokens;
  }

private:
  void header(const json::object& o) {
    ++s_.runs;
    s_.finished = false;
    s_.identity = identity_of(o.at("plan").as_object());
    for (const auto& [id, fp] : s_.identity.tasks) (void)s_.tasks[id];
  }

  void run_finished() {
    s_.finished = true;
    for (auto& a : s_.agents) a.ended = true;
  }

  void launched(const json::object& o, const std::string& id, journal_task& t) {
    t.state = journal_task_state::running;
    ++t.launches;
    journal_agent a;
    a.task = id;
    a.attempt = static_cast<int>(o.at("attempt").as_int64());
    if (const auto* r = o.if_contains("tokens")) a.reserved = json::value_to<std::uint64_t>(*r);
    if (const auto* pid = o.if_contains("pid")) a.pid = static_cast<int>(pid->as_int64());
    if (const auto* st = o.if_contains("start_time")) a.start_time = json::value_to<std::uint64_t>(*st);
    if (const auto* out = o.if_contains("out")) a.stdout_file = std::string(out->as_string());
    if (const auto* err = o.if_contains("err")) a.stderr_file = std::string(err->as_string());
    s_.agents.push_back(std::move(a));
    used_.push_back(false);
  }

  void usage(const json::object& o, const std::string& id, journal_task& t) {
    const auto* n = o.if_contains("tokens");
    t.tokens += n ? json::value_to<std::uint64_t>(*n) : 0;
    const int attempt = o.contains("attempt") ? static_cast<int>(o.at("attempt").as_int64()) : 0;
    for (std::size_t i = s_.agents.size(); i-- > 0;) {
      auto& a = s_.agents[i];
      if (a.task != id || a.ended || a.attempt != attempt) continue;
      a.ended = true;
      used_[i] = true;
      break;
    }
  }

  void ended(const std::string& id, journal_task& t, journal_task_state outcome) {
    t.state = outcome;
    for (auto& a : s_.agents) {
      if (a.task == id) a.ended = true;
    }
  }

  static std::optional<journal_task_state> outcome_of(std::string_view kind) {
    if (kind == "task_succeeded") return journal_task_state::succeeded;
    if (kind == "task_failed") return journal_task_state::failed;
    if (kind == "task_skipped") return journal_task_state::skipped;
    if (kind == "task_cancelled") return journal_task_state::cancelled;
    return std::nullopt;
  }

  journal_state& s_;
  std::vector<bool> used_;  ///< parallel to `s_.agents`: the agent's usage was reported
};

void apply_line(state_builder& b, std::string_view line, std::size_t number, const fs::path& file) {
  try {
    const json::value v = json::parse(line);
    b.apply(v.as_object());
  } catch (const std::exception& x) {
    fail(make_error_code(errc::journal_corrupt),
         fmt::format("cohort: {} line {} is not a journal record ({})", file.string(), number,
                     x.what()));
  }
}

// Splits `text` into lines; `torn` tells whether the last one had no newline.
void read_lines(const std::string& text, journal_state& s, const fs::path& file) {
  state_builder b(s);
  std::size_t at = 0;
  while (at < text.size()) {
    const auto nl = text.find('\n', at);
    if (nl == std::string::npos) {
      s.torn_tail = true;  // a write torn by a crash: ignored
      break;
    }
    ++s.lines;
    apply_line(b, std::string_view(text).substr(at, nl - at), s.lines, file);
    at = nl + 1;
  }
  b.finish();
}

} // namespace

journal_state read_journal(const fs::path& run_dir) {
  const fs::path file = journal_file(run_dir);
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    fail(error_code(ENOENT, boost::system::generic_category()),
         "cohort: no journal in " + run_dir.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  journal_state s;
  s.run_dir = run_dir;
  read_lines(text.str(), s, file);
  return s;
}

journal_state read_journal(const fs::path& run_dir, error_code& ec) {
  ec.clear();
  try {
    return read_journal(run_dir);
  } catch (const system_error& x) {
    ec = x.code();
    return {};
  }
}

} // namespace cohort
