// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/plan/task_text.hpp>

#include <cstring>
#include <limits>
#include <stdexcept>

namespace cohort {
namespace {

using length_type = std::uint32_t;
static_assert(task_text::max_length == std::numeric_limits<length_type>::max());
constexpr std::size_t header_size = task_text::field_count * sizeof(length_type);

length_type length_at(const char* block, std::size_t i) noexcept {
  length_type n;
  std::memcpy(&n, block + i * sizeof(length_type), sizeof n);
  return n;
}

std::size_t total_of(const char* block) noexcept {
  std::size_t total = header_size;
  for (std::size_t i = 0; i < task_text::field_count; ++i) total += length_at(block, i);
  return total;
}

// The block holding `all`; null when every text is empty.
std::unique_ptr<char[]> make_block(const task_text::texts& all) {
  std::size_t total = header_size;
  bool any = false;
  for (std::string_view s : all) {
    if (s.size() > task_text::max_length)
      throw std::length_error("cohort::task_text: a text of 4 GiB or more");
    total += s.size();
    any = any || !s.empty();
  }
  if (!any) return nullptr;
  auto block = std::make_unique_for_overwrite<char[]>(total);
  char* out = block.get() + header_size;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto n = static_cast<length_type>(all[i].size());
    std::memcpy(block.get() + i * sizeof(length_type), &n, sizeof n);
    if (n != 0) std::memcpy(out, all[i].data(), n);
    out += n;
  }
  return block;
}

} // namespace

task_text::task_text(const texts& all) : block_(make_block(all)) {}

std::optional<task_text> task_text::make(const texts& all) {
  for (std::string_view s : all) {
    if (s.size() > max_length) return std::nullopt;
  }
  return task_text(all);
}

task_text::task_text(const task_text& other) {
  if (!other.block_) return;
  const std::size_t total = total_of(other.block_.get());
  block_ = std::make_unique_for_overwrite<char[]>(total);
  std::memcpy(block_.get(), other.block_.get(), total);
}

task_text& task_text::operator=(const task_text& other) {
  if (this != &other) *this = task_text(other);
  return *this;
}

std::string_view task_text::operator[](field f) const noexcept {
  if (!block_) return {};
  const auto i = static_cast<std::size_t>(f);
  const char* text = block_.get() + header_size;
  for (std::size_t k = 0; k < i; ++k) text += length_at(block_.get(), k);
  return {text, length_at(block_.get(), i)};
}

task_text::texts task_text::all() const noexcept {
  texts out{};
  if (!block_) return out;
  const char* text = block_.get() + header_size;
  for (std::size_t i = 0; i < field_count; ++i) {
    const length_type n = length_at(block_.get(), i);
    out[i] = {text, n};
    text += n;
  }
  return out;
}

void task_text::set(field f, std::string_view text) {
  texts now = all();
  now[static_cast<std::size_t>(f)] = text;  // may point into the old block: read before it goes
  block_ = make_block(now);
}

} // namespace cohort
