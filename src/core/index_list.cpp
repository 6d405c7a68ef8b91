// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/core/index_list.hpp>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>

namespace cohort {

// A block: its header, then room for `capacity` indexes (uint32_t, an implicit-lifetime type:
// the storage holds them as it is written).
index_list::header* index_list::allocate(size_type capacity) {
  if (capacity > max_count) throw std::length_error("cohort::index_list: 2^32 indexes or more");
  auto* h = static_cast<header*>(::operator new(sizeof(header) + capacity * sizeof(value_type)));
  h->size = 0;
  h->capacity = static_cast<std::uint32_t>(capacity);
  return h;
}

void index_list::release(header* h) noexcept { ::operator delete(h); }

index_list::index_list(std::span<const value_type> v) {
  if (v.empty()) return;
  block_ = allocate(v.size());
  std::memcpy(values(block_), v.data(), v.size_bytes());
  block_->size = static_cast<std::uint32_t>(v.size());
}

index_list& index_list::operator=(const index_list& other) {
  if (this != &other) *this = index_list(other);
  return *this;
}

const index_list::value_type& index_list::at(size_type i) const {
  if (i >= size()) throw std::out_of_range("cohort::index_list::at: past the end");
  return data()[i];
}

void index_list::reallocate(size_type capacity) {
  header* h = allocate(capacity);
  const size_type n = size();
  if (n != 0) std::memcpy(values(h), values(block_), n * sizeof(value_type));
  h->size = static_cast<std::uint32_t>(n);
  release(std::exchange(block_, h));
}

void index_list::reserve(size_type n) {
  if (n > capacity()) reallocate(n);
}

// Doubles, from four: a block of four indexes and its header fits malloc's smallest chunk.
void index_list::grow() {
  const size_type c = capacity();
  if (c == max_count) throw std::length_error("cohort::index_list: 2^32 indexes or more");
  reallocate(c < 4 ? 4 : std::min<size_type>(2 * c, max_count));
}

index_list::iterator index_list::erase(const_iterator first, const_iterator last) noexcept {
  iterator at = begin() + (first - cbegin());
  if (first == last) return at;
  const iterator kept = std::copy(begin() + (last - cbegin()), end(), at);
  block_->size = static_cast<std::uint32_t>(kept - begin());
  return at;
}

bool index_list::equal(std::span<const value_type> a, std::span<const value_type> b) noexcept {
  return std::ranges::equal(a, b);
}

} // namespace cohort
