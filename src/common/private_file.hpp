// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#ifndef COHORT_SRC_COMMON_PRIVATE_FILE_HPP
#define COHORT_SRC_COMMON_PRIVATE_FILE_HPP

// Private to the library: opening the files cohort writes in a run dir so that nothing planted
// there can redirect them.

#include <cohort/core/error.hpp>

#include <filesystem>
#include <string_view>

namespace cohort::detail {

/// `write(2)` of all of `text` to `fd`, through interruptions and short writes; the system's
/// code of the first failure.
error_code write_all(int fd, std::string_view text);

/// `open(2)` of `file` with `flags | O_NOFOLLOW | O_CLOEXEC`, created 0600. Throws
/// `system_error`: a symbolic link in the file's place is refused and said to be one.
int open_private(const std::filesystem::path& file, int flags);

/// Writes `text` to `file` (created or truncated, through `open_private`). Throws `system_error`.
void write_private(const std::filesystem::path& file, std::string_view text);

} // namespace cohort::detail

#endif // COHORT_SRC_COMMON_PRIVATE_FILE_HPP
