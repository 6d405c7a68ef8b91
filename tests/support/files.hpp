// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_TESTS_SUPPORT_FILES_HPP
#define COHORT_TESTS_SUPPORT_FILES_HPP

// Files for the plan tests: a temporary folder removed at the end of the test, and the Task
// Master samples (tests/data/taskmaster, passed after `--` on the command line), which tests
// copy before use: the originals are never touched.

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

namespace cohort::test {

namespace fs = std::filesystem;

/// A fresh folder under the system's temporary folder, removed with everything in it.
class temp_dir {
public:
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "cohort-test-XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const fs::path& path() const noexcept { return path_; }
  fs::path operator/(const fs::path& name) const { return path_ / name; }

  /// Writes `text` to `name` (a relative path; folders are created) and returns its path.
  fs::path write(const fs::path& name, std::string_view text) const {
    const fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

private:
  fs::path path_;
};

/// The whole content of a file.
inline std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot open " << p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The folder of the Task Master samples: the first argument after `--`.
inline fs::path sample_dir() {
  const auto& suite = boost::unit_test::framework::master_test_suite();
  BOOST_REQUIRE_MESSAGE(suite.argc > 1, "pass the samples folder after --");
  return suite.argv[1];
}

/// Copies the sample `name` to `<dir>/.taskmaster/tasks/tasks.json`, where Task Master keeps it.
inline fs::path copy_sample(const temp_dir& dir, std::string_view name) {
  return dir.write(".taskmaster/tasks/tasks.json", read_text(sample_dir() / name));
}

/// The five samples, by file name.
inline constexpr std::string_view sample_names[] = {
    "5dlabs__taskmaster-sync.json",
    "AJ-Davis__veritas_logos.json",
    "AcidicSoil__oraclepack.json",
    "Acurioustractor__custodian-economy-platform.json",
    "eyaltoledano__claude-task-master.json",
};

} // namespace cohort::test

#endif // COHORT_TESTS_SUPPORT_FILES_HPP
