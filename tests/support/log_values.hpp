// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_TESTS_SUPPORT_LOG_VALUES_HPP
#define COHORT_TESTS_SUPPORT_LOG_VALUES_HPP

// Values Boost.Test compares but cannot print: declared once for every suite (a test source may
// share its compilation unit with others, COHORT_UNITY_BUILD).

#include <cohort/run/journal_state.hpp>

#include <boost/test/unit_test.hpp>

#include <filesystem>

BOOST_TEST_DONT_PRINT_LOG_VALUE(std::filesystem::perms)
BOOST_TEST_DONT_PRINT_LOG_VALUE(cohort::journal_task_state)

#endif // COHORT_TESTS_SUPPORT_LOG_VALUES_HPP
