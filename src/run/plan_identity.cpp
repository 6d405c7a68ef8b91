// Copyright (c) 2026 The cohort authors. Distributed under the Boost Software License, Version 1.0.
// SPDX-License-Identifier: BSL-1.0
#include <cohort/run/plan_identity.hpp>

#include <cohort/plan/plan_json.hpp>

#include "common/fnv1a.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>

#include <fmt/format.h>

#include <stdexcept>
#include <string_view>

namespace cohort {

namespace json = boost::json;

namespace {

using detail::fnv1a;

std::string hex(std::uint64_t v) { return fmt::format("{:016x}", v); }

std::uint64_t from_hex(std::string_view s) {
  std::uint64_t v = 0;
  for (char c : s) {
    const int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    if (c < '0' || d < 0 || d > 15) throw std::invalid_argument("not a hex number");
    v = v * 16 + static_cast<std::uint64_t>(d);
  }
  return v;
}

// Everything the task says but its status (its subtasks are tasks of their own).
std::uint64_t task_fingerprint(const plan& p, task_index t) {
  json::object o = to_json(p, t);
  o.erase("status");
  return fnv1a(json::serialize(o));
}

} // namespace

plan_identity identify(const plan& p) {
  plan_identity id;
  id.path = p.source;
  id.tag = p.tag;
  std::uint64_t h = fnv1a("cohort-plan");
  // One task's object at a time, in the order of `to_json(p)`: parents, each before its subtasks.
  auto add = [&](task_index t) {
    const std::string& task_id = p.tasks[t].id;
    const std::uint64_t fp = task_fingerprint(p, t);
    id.tasks[task_id] = fp;
    h = fnv1a(task_id + '\0' + hex(fp) + '\n', h);
  };
  for (task_index t : p.parents) {
    add(t);
    for (task_index s : p.tasks[t].subtasks) add(s);
  }
  id.hash = h;
  return id;
}

json::object to_json(const plan_identity& id) {
  json::object tasks;
  for (const auto& [k, v] : id.tasks) tasks[k] = hex(v);
  return {{"path", id.path}, {"tag", id.tag}, {"hash", hex(id.hash)}, {"tasks", std::move(tasks)}};
}

plan_identity plan_identity_from_json(const json::object& o) {
  plan_identity id;
  id.path = json::value_to<std::string>(o.at("path"));
  id.tag = json::value_to<std::string>(o.at("tag"));
  id.hash = from_hex(o.at("hash").as_string());
  for (const auto& [k, v] : o.at("tasks").as_object()) id.tasks[k] = from_hex(v.as_string());
  return id;
}

} // namespace cohort
