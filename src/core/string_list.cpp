// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/core/string_list.hpp>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace cohort {
namespace {

using count_type = std::uint32_t;

count_type count_at(const char* block, std::size_t i) noexcept {
  count_type n;
  std::memcpy(&n, block + i * sizeof(count_type), sizeof n);
  return n;
}

void put_count(char* block, std::size_t i, count_type n) noexcept {
  std::memcpy(block + i * sizeof(count_type), &n, sizeof n);
}

// The block's size: its header (the count and the ends) and the text.
std::size_t block_size(const char* block) noexcept {
  const count_type n = count_at(block, 0);
  return (1 + n) * sizeof(count_type) + count_at(block, n);
}

// The block holding `words`; null when there is none.
template <class Words>
std::unique_ptr<char[]> make_block(const Words& words) {
  if (std::empty(words)) return nullptr;
  std::size_t text = 0;
  for (const auto& w : words) text += std::string_view(w).size();
  const std::size_t n = std::size(words);
  if (text > string_list::max_bytes || n >= string_list::max_bytes / sizeof(count_type))
    throw std::length_error("cohort::string_list: words of 4 GiB or more");
  const std::size_t header = (1 + n) * sizeof(count_type);
  auto block = std::make_unique_for_overwrite<char[]>(header + text);
  put_count(block.get(), 0, static_cast<count_type>(n));
  std::size_t end = 0, i = 1;
  for (const auto& w : words) {
    const std::string_view v(w);
    if (!v.empty()) std::memcpy(block.get() + header + end, v.data(), v.size());
    end += v.size();
    put_count(block.get(), i++, static_cast<count_type>(end));
  }
  return block;
}

} // namespace

string_list::string_list(std::initializer_list<std::string_view> words) : block_(make_block(words)) {}
string_list::string_list(std::span<const std::string_view> words) : block_(make_block(words)) {}
string_list::string_list(std::span<const std::string> words) : block_(make_block(words)) {}

string_list::string_list(const string_list& other) {
  if (!other.block_) return;
  const std::size_t n = block_size(other.block_.get());
  block_ = std::make_unique_for_overwrite<char[]>(n);
  std::memcpy(block_.get(), other.block_.get(), n);
}

string_list& string_list::operator=(const string_list& other) {
  if (this != &other) *this = string_list(other);
  return *this;
}

string_list::size_type string_list::size() const noexcept { return block_ ? count_at(block_.get(), 0) : 0; }

std::string_view string_list::operator[](size_type i) const noexcept {
  COHORT_ASSERT(i < size());
  const char* b = block_.get();
  const std::size_t begin = i == 0 ? 0 : count_at(b, i), end = count_at(b, i + 1);
  return {b + (1 + count_at(b, 0)) * sizeof(count_type) + begin, end - begin};
}

std::vector<std::string> string_list::to_vector() const {
  std::vector<std::string> out;
  out.reserve(size());
  for (std::string_view w : *this) out.emplace_back(w);
  return out;
}

bool operator==(const string_list& a, const string_list& b) noexcept {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

bool operator==(const string_list& a, const std::vector<std::string>& b) noexcept {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

} // namespace cohort
