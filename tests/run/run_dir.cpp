// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/run/run_dir.hpp>

#include "support/co_test.hpp"
#include "support/files.hpp"

#include <cohort/core/error.hpp>

#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;
using cohort::test::temp_dir;

BOOST_AUTO_TEST_SUITE(run_dir)

BOOST_AUTO_TEST_CASE(every_file_of_an_attempt_is_under_the_task_folder_in_agents) {
  const fs::path root = "/runs/r1";
  const auto files = cohort::agent_files_of(root, "12.3", 2);
  BOOST_TEST(cohort::journal_file(root) == root / "journal.jsonl");
  BOOST_TEST(cohort::agents_dir(root) == root / "agents");
  BOOST_TEST(files.prompt == root / "agents" / "12.3" / "prompt.md");
  BOOST_TEST(files.stdout_file == root / "agents" / "12.3" / "2.out");
  BOOST_TEST(files.stderr_file == root / "agents" / "12.3" / "2.err");
  BOOST_TEST(files.usage_file == root / "agents" / "12.3" / "2.usage.json");
}

BOOST_AUTO_TEST_CASE(an_id_cannot_name_a_folder_outside_its_own) {
  const fs::path root = "/runs/r1";
  for (const std::string& id : std::vector<std::string>{"../../etc", "/abs", "a/b", "..", ".", "", std::string("a\0b", 3)}) {
    const fs::path dir = cohort::agent_files_of(root, id, 1).prompt.parent_path();
    BOOST_TEST_CONTEXT("id " << id) {
      BOOST_TEST(dir.parent_path() == cohort::agents_dir(root));
      BOOST_TEST(dir.filename() != "..");
      BOOST_TEST(dir.filename() != ".");
    }
  }
}

BOOST_AUTO_TEST_CASE(the_marker_is_the_absolute_normal_form) {
  temp_dir dir;
  const fs::path inside = dir.path() / "run";
  fs::create_directories(inside);
  BOOST_TEST(cohort::run_dir_marker(dir.path() / "x" / ".." / "run") ==
             fs::canonical(inside).string());
}

BOOST_AUTO_TEST_CASE(a_second_run_on_a_locked_run_dir_is_refused_until_the_first_ends) {
  temp_dir dir;
  const auto run_dir = dir.path() / "run";
  std::optional<cohort::run_dir_lock> first(std::in_place, run_dir);
  BOOST_CHECK_EXCEPTION(cohort::run_dir_lock second(run_dir), cohort::system_error,
                        [&](const cohort::system_error& x) {
                          const std::string what = x.what();
                          return x.code() == boost::system::errc::device_or_resource_busy &&
                                 what.find(run_dir.string()) != std::string::npos &&
                                 what.find(std::to_string(::getpid())) != std::string::npos;
                        });
  first.reset();
  BOOST_CHECK_NO_THROW(cohort::run_dir_lock again(run_dir));
}

BOOST_AUTO_TEST_SUITE_END()
