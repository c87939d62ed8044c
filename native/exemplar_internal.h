// Helpers shared by the shim's translation units (not part of the C ABI).
#pragma once
#include <ATen/ATen.h>

#include <exception>

namespace exemplar {

// Records the message that ex_last_error() returns on this thread.
void set_error(const char* what);

// Wraps a body so that no C++ exception crosses the C boundary; `fail` is returned instead.
template <typename R, typename F>
R guarded(R fail, F&& body) noexcept {
  try {
    return body();
  } catch (const c10::Error& e) {
    set_error(e.what_without_backtrace());
  } catch (const std::exception& e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown C++ exception");
  }
  return fail;
}

inline at::Tensor& as_tensor(void* t) {
  TORCH_CHECK(t != nullptr, "null tensor handle");
  return *static_cast<at::Tensor*>(t);
}

}  // namespace exemplar
