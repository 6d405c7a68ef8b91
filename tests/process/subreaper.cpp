// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/process/subreaper.hpp>

#include "support/co_test.hpp"
#include "support/files.hpp"

#include "common/procfs.hpp"

#include <cohort/process/process.hpp>

#include <boost/test/unit_test.hpp>

#include <string>

namespace {

// An agent that starts a daemon in a session of its own with an empty environment (nothing
// marks it as the agent's), waits until the daemon has left its group, and exits. The daemon
// writes its pid with the shell's own echo (one write: a non-empty file is a whole pid).
std::vector<std::string> daemon_agent(const std::filesystem::path& pid_file) {
  const std::string f = pid_file.string();
  return {"sh", "-c",
          "setsid -f env -i sh -c 'echo $$ > \"$0\" && exec sleep 300' '" + f +
              "' < /dev/null > /dev/null 2>&1; while [ ! -s '" + f + "' ]; do sleep 0.01; done"};
}

} // namespace

BOOST_AUTO_TEST_SUITE(subreaper)

CO_TEST_CASE(an_agents_daemon_with_a_cleared_environment_comes_back_and_is_ended_and_reaped) {
  cohort::become_child_subreaper();
  BOOST_TEST(cohort::is_child_subreaper());
  cohort::test::temp_dir dir;
  const auto pid_file = dir.path() / "daemon.pid";
  cohort::process_options o;
  o.argv = daemon_agent(pid_file);
  const auto r = co_await cohort::run_process(o);
  BOOST_TEST(r.success(), cohort::describe(r));
  const int daemon = std::stoi(cohort::test::read_text(pid_file));
  // The agent is gone; its daemon outlived it, in another session, and is now our child.
  const auto before = cohort::detail::read_proc_stat(daemon);
  BOOST_REQUIRE(before.has_value());
  BOOST_TEST(!before->zombie());
  BOOST_TEST(before->ppid == ::getpid());
  BOOST_TEST(cohort::end_adopted_children(std::chrono::milliseconds(2000)) == 1u);
  // Ended and reaped: not even a zombie is left.
  BOOST_TEST(!cohort::detail::read_proc_stat(daemon).has_value());
  BOOST_TEST(cohort::end_adopted_children() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
