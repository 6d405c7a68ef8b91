// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include "common/private_file.hpp"

#include "common/system_errors.hpp"

#include <cohort/core/error.hpp>

#include <cerrno>
#include <string>

#include <fcntl.h>
#include <unistd.h>

namespace cohort::detail {

error_code write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return last_error();
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

int open_private(const std::filesystem::path& file, int flags) {
  const int fd = ::open(file.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  const int e = errno;
  if (e == ELOOP) {
    throw system_error(error_code(e, boost::system::generic_category()),
                       "cohort: refusing " + file.string() + ": it is a symbolic link");
  }
  throw system_error(system_error_code(e), "cohort: cannot open " + file.string());
}

void write_private(const std::filesystem::path& file, std::string_view text) {
  const int fd = open_private(file, O_WRONLY | O_CREAT | O_TRUNC);
  error_code ec = write_all(fd, text);
  if (::close(fd) != 0 && !ec && errno != EINTR) ec = last_error();
  if (ec) throw system_error(ec, "cohort: cannot write " + file.string());
}

} // namespace cohort::detail
