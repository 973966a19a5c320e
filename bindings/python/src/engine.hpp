// engine.hpp — the process-wide compiled Database and the calling thread's Scratch.
//
// Compiling the rule table costs milliseconds, so the module compiles it once, on first use, and
// every Parser shares it (a Database is immutable and thread-safe). A Scratch is working memory
// for one thread at a time, so each OS thread that parses gets its own, created on its first parse
// and freed when the thread exits. Both calls may run with or without the GIL held.
#pragma once

#include <stdexcept>
#include <string>

#include "airlog/database.hpp"
#include "airlog/scratch.hpp"

namespace airlog_py {

/// An airlog failure reported to Python as `airlog.Error` (registered in module.cpp).
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

/// The shared Database. Throws Error if the rules fail to compile (e.g. a CPU without SSSE3).
const airlog::Database& database();

/// The calling thread's Scratch for database(). Throws Error if it cannot be allocated.
airlog::Scratch& thread_scratch();

}  // namespace airlog_py
