// C11 thread creation (<threads.h>) over pthread_create(), which ThreadSanitizer intercepts,
// preloaded into the processes of the tsan test presets (LD_PRELOAD).
//
// librdkafka starts its threads with thrd_create(). glibc implements it with its internal
// __pthread_create, which GCC 12's libtsan does not intercept: TSan never learns of those threads,
// and the first intercepted call one of them makes crashes inside TSan's runtime. Defining
// thrd_create/thrd_join/thrd_detach here, on top of the pthread calls, registers them. The rest of
// librdkafka stays invisible to TSan on purpose (tests/sanitizers/tsan.supp): its C11 locks keep
// glibc's uninstrumented implementation, and the libc calls it makes are not checked, because an
// uninstrumented library seen only in part yields reports about its own synchronization.
// Not used by any other build; the behaviour is glibc's own (the same mapping glibc makes).
#include <pthread.h>
#include <threads.h>

#include <cerrno>
#include <cstdint>
#include <new>

namespace {

int to_thrd(int err) {
  switch (err) {
    case 0:
      return thrd_success;
    case EBUSY:
      return thrd_busy;
    case ETIMEDOUT:
      return thrd_timedout;
    case ENOMEM:
    case EAGAIN:
      return thrd_nomem;
    default:
      return thrd_error;
  }
}

struct Start {
  thrd_start_t function;
  void* argument;
};

void* run(void* start) {
  const Start s = *static_cast<Start*>(start);
  delete static_cast<Start*>(start);
  // glibc's C11 threads carry an int result in the pointer pthread_join returns.
  return reinterpret_cast<void*>(  // NOLINT(performance-no-int-to-ptr)
      static_cast<std::intptr_t>(s.function(s.argument)));
}

static_assert(sizeof(thrd_t) == sizeof(pthread_t));

}  // namespace

extern "C" {

int thrd_create(thrd_t* thread, thrd_start_t function, void* argument) {
  auto* start = new (std::nothrow) Start{function, argument};
  if (start == nullptr) return thrd_nomem;
  const int err = pthread_create(thread, nullptr, run, start);
  if (err != 0) delete start;
  return to_thrd(err);
}

int thrd_join(thrd_t thread, int* result) {
  void* value = nullptr;
  const int err = pthread_join(thread, &value);
  if (err == 0 && result != nullptr) {
    *result = static_cast<int>(reinterpret_cast<std::intptr_t>(value));
  }
  return to_thrd(err);
}

int thrd_detach(thrd_t thread) {
  return to_thrd(pthread_detach(thread));
}

}  // extern "C"
