// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
//
// What Slurm 22.05's commands print, read as the Slurm launcher reads it (the lines are the ones
// a real one-machine cluster printed: tests/slurm/cluster.sh).
#include "run/slurm_text.hpp"

#include <boost/test/unit_test.hpp>

using namespace cohort::detail;

BOOST_AUTO_TEST_SUITE(slurm_text)

BOOST_AUTO_TEST_CASE(queue_lines) {
  const auto pending = parse_queue_line("19|PENDING|Resources|cohort 0123456789abcdef 1 3.2\n");
  BOOST_REQUIRE(pending);
  BOOST_TEST(pending->id == "19");
  BOOST_TEST(pending->state == "PENDING");
  BOOST_TEST(pending->reason == "Resources");
  BOOST_TEST(pending->comment == "cohort 0123456789abcdef 1 3.2");
  // A comment may hold the separator: it is the last field, kept whole.
  const auto odd = parse_queue_line("  7|RUNNING|None|a|b|c");
  BOOST_REQUIRE(odd);
  BOOST_TEST(odd->comment == "a|b|c");
  BOOST_TEST(!parse_queue_line(""));
  BOOST_TEST(!parse_queue_line("slurm_load_jobs error: Invalid job id specified"));
  BOOST_TEST(!parse_queue_line("x1|RUNNING|None|c"));  // not a job id
}

BOOST_AUTO_TEST_CASE(submission_ids) {
  BOOST_TEST(parse_job_id("12\n") == "12");
  BOOST_TEST(parse_job_id("12;cluster\n") == "12");
  BOOST_TEST(parse_job_id("") == "");
  BOOST_TEST(parse_job_id("sbatch: error: invalid partition specified: nosuch") == "");
}

BOOST_AUTO_TEST_CASE(final_states) {
  for (const char* s : {"COMPLETED", "FAILED", "CANCELLED", "CANCELLED+", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
                        "BOOT_FAIL", "DEADLINE", "PREEMPTED"})
    BOOST_TEST(is_final_state(s), s);
  for (const char* s : {"PENDING", "RUNNING", "COMPLETING", "CONFIGURING", "SUSPENDED", "REQUEUED", ""})
    BOOST_TEST(!is_final_state(s), s);
}

BOOST_AUTO_TEST_CASE(exit_codes) {
  const auto failed = parse_job_exit(
      "JobId=20 JobName=fail3 UserId=root(0) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) "
      "Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=3:0 RunTime=00:00:00 DerivedExitCode=0:0");
  BOOST_REQUIRE(failed);
  BOOST_TEST(failed->code == 3);
  BOOST_TEST(failed->signal == 0);
  const auto killed = parse_job_exit("JobId=22 JobState=CANCELLED Reason=None ExitCode=0:15 RunTime=00:00:04");
  BOOST_REQUIRE(killed);
  BOOST_TEST(killed->signal == 15);
  // DerivedExitCode alone is not the job's exit code.
  BOOST_TEST(!parse_job_exit("JobId=1 DerivedExitCode=0:0"));
  BOOST_TEST(!parse_job_exit("JobId=1 ExitCode=x:0"));
}

BOOST_AUTO_TEST_CASE(comments) {
  const std::string c = job_comment("00ff", "3.2 with spaces", 4);
  BOOST_TEST(c == "cohort 00ff 4 3.2 with spaces");
  const auto m = parse_job_comment(c);
  BOOST_REQUIRE(m);
  BOOST_TEST(m->run == "00ff");
  BOOST_TEST(m->attempt == 4);
  BOOST_TEST(m->task_id == "3.2 with spaces");
  BOOST_TEST(!parse_job_comment("(null)"));
  BOOST_TEST(!parse_job_comment("cohort 00ff x 3.2"));
  BOOST_TEST(!parse_job_comment("cohort 00ff 0 3.2"));
  BOOST_TEST(!parse_job_comment("cohort 00ff 1"));
}

BOOST_AUTO_TEST_CASE(transient_submissions) {
  BOOST_TEST(is_transient_submit_error("sbatch: error: Batch job submission failed: Socket timed out on send/recv operation"));
  BOOST_TEST(is_transient_submit_error("sbatch: error: Unable to contact slurm controller (connect failure)"));
  BOOST_TEST(!is_transient_submit_error("sbatch: error: invalid partition specified: nosuch"));
}

BOOST_AUTO_TEST_SUITE_END()
