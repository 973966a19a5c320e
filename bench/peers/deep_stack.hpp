// deep_stack.hpp — runs a function on a thread with a stack of a given size. libstdc++'s
// std::regex matches by recursion, one level per input byte or so, and overflows an 8 MiB stack
// on the 134 KB lines real logs hold; the std::regex peer runs there instead of crashing.
#pragma once

#include <pthread.h>

#include <cstdio>
#include <cstdlib>
#include <functional>

namespace peers {

/// Calls `fn` on a new thread with `stack_bytes` of stack (address space, touched only as used)
/// and waits for it; calls it on this thread when `stack_bytes` is 0.
inline void run_with_stack(size_t stack_bytes, const std::function<void()>& fn) {
  if (stack_bytes == 0) {
    fn();
    return;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes);
  pthread_t thread;
  auto call = [](void* f) -> void* {
    (*static_cast<const std::function<void()>*>(f))();
    return nullptr;
  };
  if (pthread_create(&thread, &attr, call, const_cast<std::function<void()>*>(&fn)) != 0) {
    std::fprintf(stderr, "run_with_stack: cannot start a thread with a %zu-byte stack\n", stack_bytes);
    std::abort();
  }
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

}  // namespace peers
