// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/view/dashboard.hpp>

#include "support/plans.hpp"
#include "common/text_width.hpp"  // the library's own column count

#include <boost/asio/io_context.hpp>

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <optional>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

using namespace std::chrono_literals;
using cohort::event_kind;
using cohort::test::plan_builder;

namespace {

using clock_type = cohort::event::clock_type;

// Parent 1 with two waves (1.1, 1.2 | 1.3), parent 2 after it.
cohort::plan small_plan() {
  plan_builder b;
  const auto p = b.parent("1");
  b.sub(p, "1", {}, 60s);
  b.sub(p, "2", {}, 60s);
  b.sub(p, "3", {"1.1"}, 60s);
  const auto q = b.parent("2", {"1"});
  b.sub(q, "1", {}, 60s);
  return std::move(b.p);
}

// A pipe whose read end collects what the dashboard writes (non-blocking reads).
struct pipe_fds {
  int read = -1, write = -1;
  pipe_fds() {
    int fds[2];
    BOOST_REQUIRE(::pipe(fds) == 0);
    read = fds[0];
    write = fds[1];
    ::fcntl(read, F_SETFL, O_NONBLOCK);
  }
  ~pipe_fds() {
    ::close(read);
    ::close(write);
  }
  std::string drain() const {
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::read(read, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    return out;
  }
};

// Options that write in `style` to the pipe `out`.
cohort::dashboard_options writing_to(const pipe_fds& out, cohort::dashboard_style style) {
  cohort::dashboard_options o;
  o.fd = out.write;
  o.style = style;
  return o;
}

// Live-style options that draw nothing anywhere: the tests read frames with `frame()`.
cohort::dashboard_options frames_only() {
  cohort::dashboard_options o;
  o.fd = -1;
  o.style = cohort::dashboard_style::live;
  return o;
}

struct feeder {
  cohort::dashboard& d;
  const cohort::plan& p;
  clock_type::time_point t0 = clock_type::now();

  cohort::event make(event_kind k, const char* id, clock_type::duration at) const {
    cohort::event e;
    e.kind = k;
    e.at = t0 + at;
    if (id) e.task = *p.find(id);
    return e;
  }
  void operator()(event_kind k, const char* id, clock_type::duration at) const { d.on_event(make(k, id, at)); }
};

bool contains(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

std::size_t columns(const std::string& s) { return cohort::detail::display_width(s); }

} // namespace

BOOST_AUTO_TEST_SUITE(dashboard)

BOOST_AUTO_TEST_CASE(plain_style_prints_one_timestamped_line_per_event_without_escapes) {
  boost::asio::io_context ctx;
  const auto plan = small_plan();
  pipe_fds out;
  const auto o = writing_to(out, cohort::dashboard_style::plain);
  cohort::dashboard d(ctx.get_executor(), plan, o);
  BOOST_TEST(!d.is_live());
  feeder f{d, plan};
  f(event_kind::run_started, nullptr, 0ms);
  f(event_kind::parent_started, "1", 0ms);
  auto launched = f.make(event_kind::task_launched, "1.1", 1ms);
  launched.attempt = 1;
  launched.pid = 77;
  d.on_event(launched);
  auto waiting = f.make(event_kind::task_waiting, "1.2", 1ms);
  waiting.reason = cohort::wait_reason::slot;
  d.on_event(waiting);
  auto line = f.make(event_kind::task_output, "1.1", 2ms);
  line.message = "\x1b[31mred\x1b[0m text\r\nnext";
  d.on_event(line);
  BOOST_TEST(out.drain().empty());  // the lines wait for the end of the event loop's turn
  BOOST_TEST(ctx.poll() == 1u);     // one write for them all (plain style arms no timer)
  const std::string text = out.drain();
  BOOST_TEST(text.find('\x1b') == std::string::npos);
  BOOST_TEST(std::count(text.begin(), text.end(), '\n') == 5);
  for (const char* part : {"run started: 4 jobs in 2 parents", "1 started", "1.1 launched (attempt 1, pid 77)",
                           "1.2 waiting: slot", "1.1 | next"}) {
    BOOST_TEST(text.find(part) != std::string::npos, part);
  }
  BOOST_TEST(text.find("run started") < text.find("1.1 | next"));
}

// The run's end and a note are written at once; lines still waiting when the dashboard goes
// are written by its destructor, and the write posted for them finds nothing left.
BOOST_AUTO_TEST_CASE(plain_lines_are_never_lost_nor_kept_past_the_end) {
  boost::asio::io_context ctx;
  const auto plan = small_plan();
  pipe_fds out;
  const auto o = writing_to(out, cohort::dashboard_style::plain);
  {
    cohort::dashboard d(ctx.get_executor(), plan, o);
    feeder f{d, plan};
    f(event_kind::run_started, nullptr, 0ms);
    d.note("look here");
    BOOST_TEST(out.drain().find("run started") != std::string::npos);  // with the note, at once
    f(event_kind::parent_started, "1", 0ms);
    f(event_kind::run_finished, nullptr, 5ms);
    const std::string end = out.drain();
    BOOST_TEST(end.find("1 started") < end.find("run finished"));
    f(event_kind::parent_started, "2", 6ms);
  }
  BOOST_TEST(out.drain().find("2 started") != std::string::npos);
  ctx.poll();
  BOOST_TEST(out.drain().empty());
}

// A pipe nobody reads never stops the run: every event returns at once, the lines wait (past
// 1 MiB they are counted), and once the reader reads, they come in order, whole, and a line says
// how many were not shown. A write that blocked would leave the feeding thread stuck: the test
// then reads the pipe to free it and fails.
BOOST_AUTO_TEST_CASE(a_plain_log_nobody_reads_never_stops_the_run) {
  boost::asio::io_context ctx;
  const auto plan = small_plan();
  pipe_fds out;
  BOOST_TEST_REQUIRE(::fcntl(out.write, F_SETPIPE_SZ, 4096) >= 4096);  // full after a page
  const auto o = writing_to(out, cohort::dashboard_style::plain);
  std::optional<cohort::dashboard> d(std::in_place, ctx.get_executor(), plan, o);
  feeder f{*d, plan};
  constexpr int lines = 10000;  // ~2 MiB
  auto fed = std::async(std::launch::async, [&] {
    f(event_kind::run_started, nullptr, 0ms);
    auto line = f.make(event_kind::task_output, "1.1", 1ms);
    for (int i = 0; i < lines; ++i) {
      line.message = fmt::format("{:06} {}", i, std::string(200, 'x'));
      d->on_event(line);
      ctx.restart();  // poll() leaves the context stopped when it runs out of work
      ctx.poll();
    }
  });
  // The reader: nothing until the events are in, then everything until the count comes.
  std::mutex m;
  std::string text;
  std::atomic<bool> reading{false}, done{false};
  auto reader = std::async(std::launch::async, [&] {
    while (!done) {
      if (reading) {
        const std::lock_guard lock(m);
        text += out.drain();
      }
      std::this_thread::sleep_for(1ms);
    }
    const std::lock_guard lock(m);
    text += out.drain();
  });
  const bool returned = fed.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  reading = true;  // frees a stuck feeder too
  fed.get();
  BOOST_TEST(returned, "an event waited for the full pipe");
  const auto seen = [&] {
    const std::lock_guard lock(m);
    return text.find("not shown") != std::string::npos;
  };
  ctx.restart();
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       !seen() && std::chrono::steady_clock::now() < until; ctx.restart()) {
    if (ctx.run_for(10ms) == 0) std::this_thread::sleep_for(1ms);  // the timer writes the rest, then the count
  }
  d.reset();  // with the reader still reading: nothing can keep it waiting
  done = true;
  reader.get();
  std::size_t shown = 0, shown_bytes = 0;
  int last = -1;
  bool ordered = true;
  for (std::size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1) {
    const std::string_view l(text.data() + at, nl - at);
    const auto bar = l.find(" | ");
    if (bar == std::string_view::npos) continue;
    const int n = std::stoi(std::string(l.substr(bar + 3, 6)));
    ordered = ordered && n > last && l.size() == bar + 3 + 6 + 1 + 200;
    last = n;
    ++shown;
    shown_bytes += l.size() + 1;
  }
  BOOST_TEST(ordered);
  const std::size_t count = text.find("cohort: ");
  BOOST_TEST_REQUIRE(count != std::string::npos);
  const std::size_t missing = std::stoul(text.substr(count + 8));
  BOOST_TEST(shown + missing == static_cast<std::size_t>(lines));
  BOOST_TEST(missing > 0u);
  BOOST_TEST(shown_bytes >= 1024u * 1024u);  // what was kept: a mebibyte, and what the pipe took
  BOOST_TEST(text.rfind("cohort: ") == count);  // said once, after the lines
  BOOST_TEST(text.find(" | ", count) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(titles_and_ids_from_the_plan_reach_the_frame_as_visible_escapes) {
  boost::asio::io_context ctx;
  auto plan = small_plan();
  plan.tasks[*plan.find("1")].title = "\x1b]0;pwned\x07";
  plan.tasks[*plan.find("1.1")].title = "\x1b[2J\xe2\x80\xae" "evil";
  cohort::dashboard d(ctx.get_executor(), plan, frames_only());
  feeder f{d, plan};
  f(event_kind::run_started, nullptr, 0ms);
  f(event_kind::parent_started, "1", 0ms);
  auto launched = f.make(event_kind::task_launched, "1.1", 0ms);
  launched.attempt = 1;
  d.on_event(launched);
  const auto lines = d.frame(200, 40, f.t0 + 1s);
  BOOST_TEST(!contains(lines, "\x1b"));
  BOOST_TEST(!contains(lines, "\xe2\x80\xae"));
  BOOST_TEST(contains(lines, "\\e]0;pwned"));
  BOOST_TEST(contains(lines, "\\e[2J\\u202Eevil"));
}

BOOST_AUTO_TEST_CASE(the_live_frame_shows_parent_wave_agent_with_reasons_and_fits) {
  boost::asio::io_context ctx;
  const auto plan = small_plan();
  auto o = frames_only();
  o.max_running = 1;
  o.token_budget = 1000;
  o.shares = {{*plan.find("1"), 0, 600}};
  cohort::dashboard d(ctx.get_executor(), plan, o);
  feeder f{d, plan};
  f(event_kind::run_started, nullptr, 0ms);
  f(event_kind::parent_started, "1", 0ms);
  auto wave = f.make(event_kind::wave_started, "1", 0ms);
  d.on_event(wave);
  auto launched = f.make(event_kind::task_launched, "1.1", 0ms);
  launched.attempt = 1;
  d.on_event(launched);
  auto output = f.make(event_kind::task_output, "1.1", 1s);
  output.message = "editing \x1b[1msrc/x.cpp\x1b[0m";
  d.on_event(output);
  auto waiting = f.make(event_kind::task_waiting, "1.2", 0ms);
  waiting.reason = cohort::wait_reason::slot;
  d.on_event(waiting);
  auto dep = f.make(event_kind::task_waiting, "1.3", 0ms);
  dep.reason = cohort::wait_reason::dependency;
  d.on_event(dep);
  auto usage = f.make(event_kind::task_usage, "1.1", 2s);
  usage.tokens = 250;
  auto lines = d.frame(200, 40, f.t0 + 1500ms);
  BOOST_TEST(contains(lines, "agents 1/1"));
  BOOST_TEST(contains(lines, "waiting 1 (1 slot)"));
  BOOST_TEST(contains(lines, "wave 1/2: 0/2 done"));
  BOOST_TEST(contains(lines, "1.1"));
  BOOST_TEST(contains(lines, "editing src/x.cpp"));
  BOOST_TEST(contains(lines, "waiting: slot"));
  BOOST_TEST(contains(lines, "0/4 jobs"));
  BOOST_TEST(!contains(lines, "\x1b"));
  d.on_event(usage);
  auto done = f.make(event_kind::task_succeeded, "1.1", 2s);
  d.on_event(done);
  lines = d.frame(200, 40, f.t0 + 2s);
  BOOST_TEST(contains(lines, "1/4 jobs"));
  BOOST_TEST(contains(lines, "tokens 250 / 1,000"));
  BOOST_TEST(contains(lines, "tokens 250 / 600"));  // the parent's share
  // Narrow and short: every line fits, the frame never scrolls.
  for (const auto& l : d.frame(30, 8, f.t0 + 2s)) BOOST_TEST(columns(l) <= 29u, l);
  BOOST_TEST(d.frame(30, 8, f.t0 + 2s).size() <= 7u);
}

// A job's merge state is in its row, in place of its last line, and in the line log; a branch
// name from a plan cannot bring escapes with it.
BOOST_AUTO_TEST_CASE(a_jobs_merge_state_is_in_its_row_and_in_the_line_log) {
  boost::asio::io_context ctx;
  const auto plan = small_plan();
  cohort::dashboard d(ctx.get_executor(), plan, frames_only());
  feeder f{d, plan};
  f(event_kind::run_started, nullptr, 0ms);
  f(event_kind::parent_started, "1", 0ms);
  auto launched = f.make(event_kind::task_launched, "1.1", 0ms);
  launched.attempt = 1;
  d.on_event(launched);
  auto merging = f.make(event_kind::task_merge, "1.1", 1s);
  merging.merge = cohort::merge_state::merging;
  merging.branch = "cohort-work/r/j/1.1/1\x1b[2J";
  merging.commit = std::string(40, 'c');
  merging.message = "into cohort-work/r/p/1";
  d.on_event(merging);
  const auto lines = d.frame(200, 40, f.t0 + 1500ms);
  BOOST_TEST(contains(lines, "[merging] committed cccccccccccc on cohort-work/r/j/1.1/1"));
  for (const auto& l : lines) BOOST_TEST(l.find('\x1b') == std::string::npos, l);
  auto conflict = f.make(event_kind::task_merge, "1.1", 2s);
  conflict.merge = cohort::merge_state::conflict;
  conflict.branch = "cohort-work/r/j/1.1/1";
  conflict.commit = std::string(40, 'c');
  conflict.message = "a.txt, b.txt";
  d.on_event(conflict);
  BOOST_TEST(contains(d.frame(200, 40, f.t0 + 2s), "[conflict] conflict merging cohort-work/r/j/1.1/1"));
  const std::string line = d.plain_line(conflict);
  BOOST_TEST(line.find("1.1 conflict merging cohort-work/r/j/1.1/1 (cccccccccccc) in: a.txt, b.txt") != std::string::npos,
             line);
}

// A run-wide pause after a rate limit is said once, however many tasks wait for it.
BOOST_AUTO_TEST_CASE(a_rate_limit_pause_is_noted_once) {
  boost::asio::io_context ctx;
  const auto plan = small_plan();
  cohort::dashboard d(ctx.get_executor(), plan, frames_only());
  feeder f{d, plan};
  f(event_kind::run_started, nullptr, 0ms);
  for (const char* id : {"1.1", "1.2"}) {
    auto waiting = f.make(event_kind::task_waiting, id, 1s);
    waiting.reason = cohort::wait_reason::rate_limit;
    waiting.delay = 3s;
    waiting.message = "1 of 2 agents at once";
    d.on_event(waiting);
  }
  const auto lines = d.frame(200, 40, f.t0 + 2s);
  const auto notes = std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
    return l.find("rate limited: launches paused for 3.0 s; then 1 of 2 agents at once") != std::string::npos;
  });
  BOOST_TEST(notes == 1);
}

BOOST_AUTO_TEST_CASE(wide_titles_and_output_keep_the_columns_lined_up) {
  boost::asio::io_context ctx;
  auto plan = small_plan();
  plan.tasks[*plan.find("1")].title = "\u8a2d\u8a08\u66f8\u3092\u66f8\u304f";  // 設計書を書く
  plan.tasks[*plan.find("1.1")].title = "\U0001F680 \u5b9f\u88c5\u3057\u3066\u30c6\u30b9\u30c8\u3092\u66f8\u304f\u30bf\u30b9\u30af\u3067\u3059";
  plan.tasks[*plan.find("1.2")].title = "plain ascii title";
  auto o = frames_only();
  cohort::dashboard d(ctx.get_executor(), plan, o);
  feeder f{d, plan};
  f(event_kind::run_started, nullptr, 0ms);
  f(event_kind::parent_started, "1", 0ms);
  f(event_kind::wave_started, "1", 0ms);
  for (const char* id : {"1.1", "1.2"}) {
    auto launched = f.make(event_kind::task_launched, id, 0ms);
    launched.attempt = 1;
    d.on_event(launched);
    auto output = f.make(event_kind::task_output, id, 1s);
    output.message = "\u30d5\u30a1\u30a4\u30eb\u3092\u7de8\u96c6\u4e2d: src/lexer.cpp";
    d.on_event(output);
  }
  const auto lines = d.frame(70, 20, f.t0 + 2s);
  // The two agent lines: the output column starts at the same display column in both.
  std::vector<std::size_t> output_at;
  for (const auto& l : lines) {
    BOOST_TEST(columns(l) <= 69u, l);
    if (const auto at = l.find("\u30d5\u30a1"); at != std::string::npos) output_at.push_back(columns(l.substr(0, at)));
  }
  BOOST_REQUIRE(output_at.size() == 2u);
  BOOST_TEST(output_at[0] == output_at[1]);
}

BOOST_AUTO_TEST_CASE(a_tall_plan_on_a_short_terminal_is_summed_up) {
  boost::asio::io_context ctx;
  const auto plan = cohort::test::seed_plan(4);
  auto o = frames_only();
  cohort::dashboard d(ctx.get_executor(), plan, o);
  feeder f{d, plan};
  f(event_kind::run_started, nullptr, 0ms);
  f(event_kind::parent_started, "1", 0ms);
  const auto lines = d.frame(80, 12, f.t0 + 1s);
  BOOST_TEST(lines.size() <= 11u);
  BOOST_TEST(contains(lines, "16 pending: 2 3 4"));
  BOOST_TEST(d.frame(80, 40, f.t0 + 1s).size() > 17u);  // with room, a line per parent
}

BOOST_AUTO_TEST_CASE(the_eta_follows_the_prediction_scaled_by_how_late_jobs_finish) {
  boost::asio::io_context ctx;
  plan_builder b;
  const auto p = b.parent("1");
  b.sub(p, "1", {}, 60s);
  b.sub(p, "2", {"1.1"}, 60s);
  auto o = frames_only();
  o.prediction = cohort::simulate(b.p, {});
  BOOST_TEST_REQUIRE(o.prediction->makespan.count() == 120'000);
  cohort::dashboard d(ctx.get_executor(), b.p, o);
  feeder f{d, b.p};
  f(event_kind::run_started, nullptr, 0ms);
  BOOST_TEST(contains(d.frame(120, 30, f.t0), "ETA 2:00"));
  BOOST_TEST(contains(d.frame(120, 30, f.t0 + 30s), "ETA 1:30"));
  // 1.1 was predicted to end at 1:00 and ended at 2:00: the rest takes twice as long too.
  f(event_kind::task_succeeded, "1.1", 120s);
  BOOST_TEST(contains(d.frame(120, 30, f.t0 + 120s), "ETA 2:00"));
  BOOST_TEST(contains(d.frame(120, 30, f.t0 + 150s), "ETA 1:30"));
}

BOOST_AUTO_TEST_CASE(live_style_draws_each_frame_in_one_write_in_place) {
  boost::asio::io_context ctx;
  const auto plan = small_plan();
  pipe_fds out;
  const auto o = writing_to(out, cohort::dashboard_style::live);
  cohort::dashboard d(ctx.get_executor(), plan, o);
  feeder f{d, plan};
  f(event_kind::run_started, nullptr, 0ms);
  const std::string first = out.drain();
  BOOST_TEST(first.rfind("\x1b[?25l", 0) == 0u);  // the cursor is hidden while drawing
  const auto lines = static_cast<std::size_t>(std::count(first.begin(), first.end(), '\n'));
  BOOST_TEST(lines > 3u);
  BOOST_TEST(first.find("\x1b[K\n") != std::string::npos);
  f(event_kind::run_finished, nullptr, 1s);
  const std::string last = out.drain();
  BOOST_TEST(last.rfind("\r\x1b[" + std::to_string(lines) + "A", 0) == 0u);  // back to the top
  BOOST_TEST(last.find("\x1b[?25h") != std::string::npos);  // and the cursor is back
  BOOST_TEST(ctx.poll() <= 1u);  // the cancelled timer's handler only
}

BOOST_AUTO_TEST_CASE(a_paused_terminal_never_stops_the_run_and_frames_stay_whole) {
  // A terminal paused with Ctrl-S takes nothing: a pipe of one page nobody reads until the end.
  ::setenv("COLUMNS", "200", 1);
  ::setenv("LINES", "300", 1);
  plan_builder b;
  const auto p = b.parent("1");
  constexpr int agents = 100;
  for (int i = 1; i <= agents; ++i) b.sub(p, std::to_string(i), {}, 60s);
  const cohort::plan plan = std::move(b.p);
  boost::asio::io_context ctx;
  pipe_fds out;
  BOOST_TEST_REQUIRE(::fcntl(out.write, F_SETPIPE_SZ, 4096) >= 4096);
  auto o = writing_to(out, cohort::dashboard_style::live);
  o.refresh = 1ms;
  std::optional<cohort::dashboard> d(std::in_place, ctx.get_executor(), plan, o);
  feeder f{*d, plan};
  const auto full = [&] {  // the pipe takes no more (as poll() tells a writer)
    pollfd w{out.write, POLLOUT, 0};
    return ::poll(&w, 1, 0) == 0;
  };
  bool filled = false;
  auto fed = std::async(std::launch::async, [&] {
    f(event_kind::run_started, nullptr, 0ms);
    for (int i = 1; i <= agents; ++i) {
      const std::string id = "1." + std::to_string(i);
      auto launched = f.make(event_kind::task_launched, id.c_str(), 1ms);
      launched.attempt = 1;
      d->on_event(launched);
      auto line = f.make(event_kind::task_output, id.c_str(), 2ms);
      line.message = std::string(150, 'o');
      d->on_event(line);
    }
    // Frames a few hundred lines long fill the pipe; every tick after that finds it full.
    for (int ticks = 0; ticks < 5000 && (ticks < 50 || !full()); ++ticks) ctx.run_one_for(1s);
    filled = full();
    f(event_kind::run_finished, nullptr, 1s);
  });
  std::string text;
  const bool returned = fed.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  for (; fed.wait_for(1ms) != std::future_status::ready;) text += out.drain();  // frees a stuck feeder
  fed.get();
  BOOST_TEST(returned, "the dashboard waited for the paused terminal");
  BOOST_TEST_REQUIRE(filled);  // the frames did fill the pipe
  // The terminal goes on: the retry timer writes the rest, the destructor what is left.
  const auto ended = [&] { return text.size() >= 6 && text.compare(text.size() - 6, 6, "\x1b[?25h") == 0; };
  ctx.restart();
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       !ended() && std::chrono::steady_clock::now() < until; ctx.restart()) {
    ctx.run_for(5ms);
    text += out.drain();
  }
  d.reset();
  text += out.drain();
  ::unsetenv("COLUMNS");
  ::unsetenv("LINES");

  // Whole frames only: each one after the first goes up exactly as many lines as the one before
  // drew, and the last gives the cursor back.
  BOOST_TEST_REQUIRE(text.rfind("\x1b[?25l", 0) == 0u);
  std::vector<std::string_view> frames;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t next = text.find("\r\x1b[", at + 1);
    frames.emplace_back(text.data() + at, (next == std::string::npos ? text.size() : next) - at);
    at = next == std::string::npos ? text.size() : next;
  }
  BOOST_TEST_REQUIRE(frames.size() >= 3u);  // the first, one that filled the pipe, the last
  for (std::size_t i = 1; i < frames.size(); ++i) {
    const auto drawn = std::count(frames[i - 1].begin(), frames[i - 1].end(), '\n');
    BOOST_TEST(std::string(frames[i].substr(0, 16)).rfind(fmt::format("\r\x1b[{}A", drawn), 0) == 0u,
               "frame " << i << " goes up " << drawn << " lines");
  }
  BOOST_TEST(ended());
  // Frames that came while one waited were skipped, not queued: far fewer than the ticks.
  BOOST_TEST(frames.size() <= 4u);
}

BOOST_AUTO_TEST_CASE(no_color_or_a_dumb_terminal_means_plain) {
  BOOST_TEST(!cohort::dashboard::wants_live(-1));  // not a terminal
  ::setenv("NO_COLOR", "1", 1);
  BOOST_TEST(!cohort::dashboard::wants_live(STDOUT_FILENO));
  ::unsetenv("NO_COLOR");
}

BOOST_AUTO_TEST_SUITE_END()
