// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
// Test that the header is self-contained.
#include <cohort/run/run_dir.hpp>

#include "support/co_test.hpp"
#include "support/log_values.hpp"
#include "support/files.hpp"

#include <cohort/core/error.hpp>

#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <ctime>

#include <sys/wait.h>
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

// A run killed while it was starting a process: the child, between its fork and its exec, holds
// a copy of the lock's descriptor, so the lock outlives the dead holder for a moment. A resume
// then waits for it instead of calling the run dir busy.
BOOST_AUTO_TEST_CASE(a_lock_held_on_by_a_dead_runners_unexeced_child_is_taken_once_it_lets_go) {
  temp_dir dir;
  const auto run_dir = dir.path() / "run";
  std::optional<cohort::run_dir_lock> dead(std::in_place, run_dir);
  const timespec late{0, 300'000'000};
  const pid_t child = ::fork();  // inherits the locked descriptor; exits 300 ms later, no exec
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    ::nanosleep(&late, nullptr);
    ::_exit(0);
  }
  dead.reset();  // the holder is gone: only the child's copy holds the lock now
  std::ofstream(run_dir / "journal.lock", std::ios::binary | std::ios::trunc) << "999999999\n";  // no live pid
  BOOST_CHECK_NO_THROW(cohort::run_dir_lock resumed(run_dir));
  ::waitpid(child, nullptr, 0);
}

BOOST_AUTO_TEST_CASE(ids_differing_only_in_folded_bytes_get_folders_of_their_own) {
  const fs::path root = "/runs/r1";
  const std::vector<std::string> ids{"a/b", "a_b", "a%2Fb", "a\\b", "a.b", ".a", "%2Ea", "a",
                                     std::string("a\0b", 3), "", "%", "a b", "\xc3\xa9", "ab"};
  std::set<fs::path> folders;
  for (const auto& id : ids) {
    const fs::path dir = cohort::agent_files_of(root, id, 1).prompt.parent_path();
    BOOST_TEST_CONTEXT("id '" << id << "' -> " << dir) {
      BOOST_TEST(dir.parent_path() == cohort::agents_dir(root));  // one component: no escape
      BOOST_TEST(dir.filename() != "..");
      BOOST_TEST(dir.filename() != ".");
      BOOST_TEST(folders.insert(dir).second);
    }
  }
  BOOST_TEST(cohort::agent_files_of(root, "12.3", 1).prompt.parent_path().filename() == "12.3");
}

BOOST_AUTO_TEST_CASE(long_ids_get_bounded_names_that_still_differ) {
  const fs::path root = "/runs/r1";
  std::set<std::string> names;
  for (const std::string tail : {"1", "2", "%", "/"}) {
    for (std::size_t length : {99u, 100u, 101u, 300u, 5000u}) {
      const std::string id = std::string(length, 'x') + tail;
      const auto name = cohort::agent_files_of(root, id, 1).prompt.parent_path().filename().string();
      BOOST_TEST_CONTEXT(length << " + '" << tail << "'") {
        BOOST_TEST(name.size() <= 100u);
        BOOST_TEST(names.insert(name).second);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_new_run_dir_is_private_and_an_unsafe_one_is_refused) {
  temp_dir dir;
  { cohort::run_dir_lock lock(dir.path() / "new"); }
  BOOST_TEST((fs::status(dir.path() / "new").permissions() & fs::perms::all) == fs::perms::owner_all);
  BOOST_TEST((fs::status(dir.path() / "new" / "journal.lock").permissions() & fs::perms::all) ==
             (fs::perms::owner_read | fs::perms::owner_write));

  fs::create_directory(dir.path() / "open");
  fs::permissions(dir.path() / "open", fs::perms::all);
  fs::create_directory(dir.path() / "elsewhere");
  fs::create_directory_symlink(dir.path() / "elsewhere", dir.path() / "link");
  for (const auto& [name, why] : {std::pair{"open", "others may write in it"},
                                  std::pair{"link", "it is a symbolic link"}}) {
    BOOST_CHECK_EXCEPTION(cohort::run_dir_lock(dir.path() / name), cohort::system_error,
                          [why = std::string(why)](const cohort::system_error& x) {
                            return x.code() == boost::system::errc::operation_not_permitted &&
                                   std::string(x.what()).find(why) != std::string::npos;
                          });
  }
  BOOST_TEST(fs::is_empty(dir.path() / "elsewhere"));
}

BOOST_AUTO_TEST_CASE(a_planted_link_for_the_lock_or_an_agent_folder_is_refused) {
  temp_dir dir;
  const fs::path run = dir.path() / "run", victim = dir.write("victim", "precious");
  fs::create_directory(run);
  fs::create_symlink(victim, run / "journal.lock");
  BOOST_CHECK_EXCEPTION(cohort::run_dir_lock{run}, cohort::system_error,
                        [](const cohort::system_error& x) {
                          return std::string(x.what()).find("symbolic link") != std::string::npos;
                        });
  fs::remove(run / "journal.lock");
  fs::create_directory(dir.path() / "outside");
  fs::create_directory_symlink(dir.path() / "outside", run / "agents");
  BOOST_CHECK_THROW((void)cohort::make_agent_dir(run, "1"), cohort::system_error);
  BOOST_TEST(cohort::test::read_text(victim) == "precious");
  BOOST_TEST(fs::is_empty(dir.path() / "outside"));
}

// What a launcher does from its second launch on: only the task's folder is made and checked;
// folders removed meanwhile are made again, and a planted task folder is still refused.
BOOST_AUTO_TEST_CASE(a_task_folder_after_the_first_is_made_alone_and_still_checked) {
  temp_dir dir;
  const fs::path run = dir.path() / "run";
  const fs::path first = cohort::make_agent_dir(run, "1");
  BOOST_TEST(first == cohort::agents_dir(run) / "1");
  const fs::path second = cohort::make_agent_dir(run, "2", true);
  BOOST_TEST(fs::is_directory(second));
  BOOST_TEST((fs::status(second).permissions() & fs::perms::all) == fs::perms::owner_all);
  BOOST_TEST(cohort::make_agent_dir(run, "2", true) == second);  // there already: checked, kept

  fs::remove_all(run);  // cleaned up under a running launcher
  const fs::path again = cohort::make_agent_dir(run, "3", true);
  BOOST_TEST(fs::is_directory(again));
  BOOST_TEST((fs::status(run).permissions() & fs::perms::all) == fs::perms::owner_all);
  BOOST_TEST((fs::status(cohort::agents_dir(run)).permissions() & fs::perms::all) == fs::perms::owner_all);

  fs::create_directory(dir.path() / "outside");
  fs::create_directory_symlink(dir.path() / "outside", cohort::agents_dir(run) / "4");
  BOOST_CHECK_EXCEPTION((void)cohort::make_agent_dir(run, "4", true), cohort::system_error,
                        [](const cohort::system_error& x) {
                          return std::string(x.what()).find("symbolic link") != std::string::npos;
                        });
  fs::permissions(again, fs::perms::all);
  BOOST_CHECK_THROW((void)cohort::make_agent_dir(run, "3", true), cohort::system_error);
}

BOOST_AUTO_TEST_SUITE_END()
