// Exemplar native shim. See exemplar_native.h for the contract.
#include "exemplar_native.h"
#include "exemplar_internal.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/api/include/torch/version.h>

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace exemplar {

namespace {
thread_local std::string g_last_error;
}  // namespace

void set_error(const char* what) { g_last_error = what ? what : "unknown error"; }

}  // namespace exemplar

using exemplar::as_tensor;
using exemplar::guarded;

namespace {

thread_local std::vector<ex_out> g_pending_outputs;
thread_local torch::jit::Stack g_stack;  // reused by every call on this thread: no allocation per call
std::atomic<int64_t> g_live_tensors{0};

// Forward passes allocate and free activations of a few MB to a few hundred MB every time. glibc serves large blocks
// with mmap and unmaps them on free, so every pass page-faults on fresh memory (measured: ResNet block fwd+bwd 1.2-1.3x
// and MobileNetV2 448 batch 8 3.5x slower than with reuse). A Python process fares a little better thanks to glibc's
// dynamic threshold, which a .NET host never reaches. Keep blocks up to 1 GB on the heap and trim the heap only past
// 1 GB free, as a caching allocator would; users who tuned malloc through its environment variables, or who set
// EXEMPLAR_NO_MALLOC_TUNING, keep glibc's behaviour.
struct MallocTuning {
  MallocTuning() {
    if (std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_") || std::getenv("EXEMPLAR_NO_MALLOC_TUNING")) return;
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  }
} g_malloc_tuning;

ex_tensor new_handle(at::Tensor t) {
  if (!t.defined()) return nullptr;
  g_live_tensors.fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(std::move(t));
}

const c10::TypePtr& unwrap_optional(const c10::TypePtr& type) {
  if (type->kind() == c10::TypeKind::OptionalType) {
    return type->expectRef<c10::OptionalType>().getElementType();
  }
  return type;
}

bool is_optional_tensor_list(const c10::TypePtr& type) {
  const auto& t = unwrap_optional(type);
  if (t->kind() != c10::TypeKind::ListType) return false;
  return t->expectRef<c10::ListType>().getElementType()->kind() == c10::TypeKind::OptionalType;
}

c10::TypeKind base_kind(const c10::TypePtr& type) { return unwrap_optional(type)->kind(); }

c10::TypeKind list_element_kind(const c10::TypePtr& type) {
  const auto& t = unwrap_optional(type);
  if (t->kind() != c10::TypeKind::ListType) return c10::TypeKind::AnyType;
  return t->expectRef<c10::ListType>().getElementType()->kind();
}

// Converts one C argument into the IValue the schema argument expects. Schema knowledge is used
// only to pick the right container type and for safe widening (int -> float, int -> int[N]).
c10::IValue to_ivalue(const ex_arg& a, const c10::Argument& formal) {
  const auto& type = formal.type();
  switch (a.kind) {
    case EX_ARG_NONE:
      return c10::IValue();
    case EX_ARG_DEFAULT: {
      TORCH_CHECK(formal.default_value().has_value(), "argument '", formal.name(), "' has no default value");
      return *formal.default_value();
    }
    case EX_ARG_TENSOR:
      if (a.p == nullptr) return c10::IValue();
      return as_tensor(const_cast<void*>(a.p));
    case EX_ARG_TENSOR_LIST: {
      auto handles = static_cast<const ex_tensor*>(a.p);
      if (is_optional_tensor_list(type)) {
        c10::List<c10::optional<at::Tensor>> list;
        list.reserve(a.n);
        for (int64_t k = 0; k < a.n; ++k) {
          if (handles[k] == nullptr) list.push_back(c10::nullopt);
          else list.push_back(as_tensor(handles[k]));
        }
        return list;
      }
      c10::List<at::Tensor> list;
      list.reserve(a.n);
      for (int64_t k = 0; k < a.n; ++k) list.push_back(as_tensor(handles[k]));
      return list;
    }
    case EX_ARG_INT: {
      auto kind = base_kind(type);
      if (kind == c10::TypeKind::FloatType) return static_cast<double>(a.i);
      if (kind == c10::TypeKind::ListType) {
        // `int[2] stride=1` accepts a single int, as in Python.
        auto n = formal.N().value_or(1);
        return c10::List<int64_t>(std::vector<int64_t>(n, a.i));
      }
      return a.i;
    }
    case EX_ARG_INT_LIST: {
      auto data = static_cast<const int64_t*>(a.p);
      if (list_element_kind(type) == c10::TypeKind::FloatType) {
        return c10::List<double>(std::vector<double>(data, data + a.n));
      }
      return c10::List<int64_t>(std::vector<int64_t>(data, data + a.n));
    }
    case EX_ARG_DOUBLE:
      TORCH_CHECK(base_kind(type) != c10::TypeKind::IntType,
                  "argument '", formal.name(), "' expects an int, got a float");
      return a.d;
    case EX_ARG_DOUBLE_LIST: {
      auto data = static_cast<const double*>(a.p);
      return c10::List<double>(std::vector<double>(data, data + a.n));
    }
    case EX_ARG_BOOL:
      return a.i != 0;
    case EX_ARG_BOOL_LIST: {
      auto data = static_cast<const uint8_t*>(a.p);
      c10::List<bool> list;
      for (int64_t k = 0; k < a.n; ++k) list.push_back(data[k] != 0);
      return list;
    }
    case EX_ARG_SCALAR_TYPE:
      return static_cast<c10::ScalarType>(a.i);
    case EX_ARG_STRING:
      return std::string(static_cast<const char*>(a.p), static_cast<size_t>(a.n));
    case EX_ARG_GENERATOR:
      if (a.p == nullptr) return c10::IValue();
      return *static_cast<const at::Generator*>(a.p);
    case EX_ARG_DEVICE:
      return c10::Device(static_cast<c10::DeviceType>(a.i), static_cast<c10::DeviceIndex>(a.n));
    case EX_ARG_MEMORY_FORMAT:
      return static_cast<c10::MemoryFormat>(a.i);
    default:
      TORCH_CHECK(false, "unknown argument kind ", a.kind);
  }
}

void push_output(std::vector<ex_out>& outs, const c10::IValue& v) {
  ex_out o{};
  if (v.isTensor()) {
    o.kind = EX_OUT_TENSOR;
    o.handle = new_handle(v.toTensor());
  } else if (v.isTensorList()) {
    auto list = v.toTensorList();
    o.kind = EX_OUT_LIST;
    o.i = static_cast<int64_t>(list.size());
    outs.push_back(o);
    for (const at::Tensor& t : list) {
      ex_out e{};
      e.kind = EX_OUT_TENSOR;
      e.handle = new_handle(t);
      outs.push_back(e);
    }
    return;
  } else if (v.isTuple()) {
    for (const auto& element : v.toTupleRef().elements()) push_output(outs, element);
    return;
  } else if (v.isInt()) {
    o.kind = EX_OUT_INT;
    o.i = v.toInt();
  } else if (v.isDouble()) {
    o.kind = EX_OUT_DOUBLE;
    o.d = v.toDouble();
  } else if (v.isBool()) {
    o.kind = EX_OUT_BOOL;
    o.i = v.toBool() ? 1 : 0;
  } else if (v.isNone()) {
    o.kind = EX_OUT_NONE;
  } else {
    TORCH_CHECK(false, "unsupported operator output type: ", v.tagKind());
  }
  outs.push_back(o);
}

}  // namespace

extern "C" {

const char* ex_last_error(void) { return exemplar::g_last_error.c_str(); }

ex_op ex_op_find(const char* name, const char* overload) {
  return guarded<ex_op>(nullptr, [&]() -> ex_op {
    auto handle = c10::Dispatcher::singleton().findSchemaOrThrow(name, overload ? overload : "");
    // OperatorHandle is a cheap value type; keep one copy per resolution alive for the process.
    return new c10::OperatorHandle(handle);
  });
}

int64_t ex_op_schema(ex_op op, char* buf, int64_t cap) {
  return guarded<int64_t>(-1, [&]() -> int64_t {
    TORCH_CHECK(op != nullptr, "null operator handle");
    std::string text = c10::toString(static_cast<const c10::OperatorHandle*>(op)->schema());
    if (buf != nullptr && cap > 0) {
      auto n = std::min<int64_t>(cap - 1, static_cast<int64_t>(text.size()));
      std::memcpy(buf, text.data(), static_cast<size_t>(n));
      buf[n] = '\0';
    }
    return static_cast<int64_t>(text.size());
  });
}

int64_t ex_op_call(ex_op op, const ex_arg* args, int64_t nargs, ex_out* outs, int64_t cap) {
  return guarded<int64_t>(-1, [&]() -> int64_t {
    TORCH_CHECK(op != nullptr, "null operator handle");
    const auto& handle = *static_cast<const c10::OperatorHandle*>(op);
    const auto& schema = handle.schema();
    const auto& formals = schema.arguments();
    TORCH_CHECK(nargs <= static_cast<int64_t>(formals.size()), schema.name(), ".", schema.overload_name(),
                " takes at most ", formals.size(), " arguments, got ", nargs);
    auto& stack = g_stack;
    stack.clear();
    // Clear on every exit, exceptions included, so the stack never keeps tensors alive between calls.
    struct ClearOnExit {
      torch::jit::Stack& s;
      ~ClearOnExit() { s.clear(); }
    } clear_on_exit{stack};
    for (size_t k = 0; k < formals.size(); ++k) {
      if (static_cast<int64_t>(k) < nargs) {
        stack.push_back(to_ivalue(args[k], formals[k]));
      } else {
        TORCH_CHECK(formals[k].default_value().has_value(), schema.name(), ".", schema.overload_name(),
                    ": missing required argument '", formals[k].name(), "'");
        stack.push_back(*formals[k].default_value());
      }
    }
    handle.callBoxed(stack);
    g_pending_outputs.clear();
    try {
      for (const auto& v : stack) push_output(g_pending_outputs, v);
    } catch (...) {
      // An unsupported output after some tensors: their handles are owned by no one yet, so free them here.
      for (const auto& o : g_pending_outputs) {
        if (o.kind == EX_OUT_TENSOR) ex_tensor_free(o.handle);
      }
      g_pending_outputs.clear();
      throw;
    }
    auto n = static_cast<int64_t>(g_pending_outputs.size());
    auto copy = std::min(n, cap);
    if (copy > 0) std::memcpy(outs, g_pending_outputs.data(), sizeof(ex_out) * static_cast<size_t>(copy));
    return n;
  });
}

int64_t ex_take_outputs(int64_t from, ex_out* outs, int64_t count) {
  return guarded<int64_t>(-1, [&]() -> int64_t {
    TORCH_CHECK(from >= 0 && count >= 0 && from + count <= static_cast<int64_t>(g_pending_outputs.size()),
                "output range out of bounds");
    std::memcpy(outs, g_pending_outputs.data() + from, sizeof(ex_out) * static_cast<size_t>(count));
    return count;
  });
}

void ex_tensor_free(ex_tensor t) {
  if (t == nullptr) return;
  delete static_cast<at::Tensor*>(t);
  g_live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

int64_t ex_live_tensors(void) { return g_live_tensors.load(std::memory_order_relaxed); }

ex_tensor ex_tensor_clone_handle(ex_tensor t) {
  return guarded<ex_tensor>(nullptr, [&]() { return new_handle(as_tensor(t)); });
}

ex_tensor ex_tensor_from_data(const void* data, int64_t nbytes, const int64_t* shape, int32_t ndim, int32_t dtype) {
  return guarded<ex_tensor>(nullptr, [&]() -> ex_tensor {
    TORCH_CHECK(ndim >= 0, "negative rank");
    c10::IntArrayRef sizes(shape, static_cast<size_t>(ndim));
    auto result = at::empty(sizes, at::TensorOptions().dtype(static_cast<c10::ScalarType>(dtype)));
    auto expected = static_cast<int64_t>(result.nbytes());
    TORCH_CHECK(nbytes == expected, "buffer holds ", nbytes, " bytes but shape ", sizes, " of ",
                result.scalar_type(), " needs ", expected);
    if (expected > 0) {
      TORCH_CHECK(data != nullptr, "null data pointer");
      std::memcpy(result.data_ptr(), data, static_cast<size_t>(expected));
    }
    return new_handle(std::move(result));
  });
}

int32_t ex_tensor_copy_to(ex_tensor t, void* dst, int64_t nbytes) {
  return guarded<int32_t>(0, [&]() -> int32_t {
    auto src = as_tensor(t).detach().to(at::kCPU).contiguous();
    TORCH_CHECK(static_cast<int64_t>(src.nbytes()) == nbytes, "destination holds ", nbytes,
                " bytes but the tensor has ", src.nbytes());
    if (nbytes > 0) std::memcpy(dst, src.data_ptr(), static_cast<size_t>(nbytes));
    return 1;
  });
}

int32_t ex_tensor_ndim(ex_tensor t) {
  return guarded<int32_t>(-1, [&]() { return static_cast<int32_t>(as_tensor(t).dim()); });
}

int32_t ex_tensor_shape(ex_tensor t, int64_t* out, int32_t cap) {
  return guarded<int32_t>(-1, [&]() -> int32_t {
    auto sizes = as_tensor(t).sizes();
    for (size_t k = 0; k < sizes.size() && static_cast<int32_t>(k) < cap; ++k) out[k] = sizes[k];
    return static_cast<int32_t>(sizes.size());
  });
}

int32_t ex_tensor_strides(ex_tensor t, int64_t* out, int32_t cap) {
  return guarded<int32_t>(-1, [&]() -> int32_t {
    auto strides = as_tensor(t).strides();
    for (size_t k = 0; k < strides.size() && static_cast<int32_t>(k) < cap; ++k) out[k] = strides[k];
    return static_cast<int32_t>(strides.size());
  });
}

int64_t ex_tensor_storage_offset(ex_tensor t) {
  return guarded<int64_t>(-1, [&]() { return as_tensor(t).storage_offset(); });
}

int32_t ex_tensor_dtype(ex_tensor t) {
  return guarded<int32_t>(-1, [&]() { return static_cast<int32_t>(as_tensor(t).scalar_type()); });
}

int32_t ex_tensor_device(ex_tensor t, int32_t* type, int32_t* index) {
  return guarded<int32_t>(0, [&]() -> int32_t {
    auto device = as_tensor(t).device();
    *type = static_cast<int32_t>(device.type());
    *index = device.index();
    return 1;
  });
}

int32_t ex_tensor_requires_grad(ex_tensor t) {
  return guarded<int32_t>(-1, [&]() { return as_tensor(t).requires_grad() ? 1 : 0; });
}

int32_t ex_tensor_set_requires_grad(ex_tensor t, int32_t value) {
  return guarded<int32_t>(0, [&]() {
    as_tensor(t).set_requires_grad(value != 0);
    return 1;
  });
}

int32_t ex_tensor_is_leaf(ex_tensor t) {
  return guarded<int32_t>(-1, [&]() { return as_tensor(t).is_leaf() ? 1 : 0; });
}

ex_tensor ex_tensor_grad(ex_tensor t) {
  return guarded<ex_tensor>(nullptr, [&]() { return new_handle(as_tensor(t).grad()); });
}

int32_t ex_tensor_zero_grad(ex_tensor t) {
  return guarded<int32_t>(0, [&]() {
    as_tensor(t).mutable_grad() = at::Tensor();
    return 1;
  });
}

int32_t ex_tensor_set_grad(ex_tensor t, ex_tensor grad) {
  return guarded<int32_t>(0, [&]() {
    auto& self = as_tensor(t);
    if (grad == nullptr) {
      self.mutable_grad() = at::Tensor();
      return 1;
    }
    const auto& g = as_tensor(grad);
    // The checks of Python's `.grad = g`: an optimizer trusts that the gradient matches its parameter.
    TORCH_CHECK(g.sizes() == self.sizes(), "gradient of shape ", g.sizes(), " for a tensor of shape ", self.sizes());
    TORCH_CHECK(g.scalar_type() == self.scalar_type(), "gradient of type ", g.scalar_type(), " for a tensor of type ", self.scalar_type());
    TORCH_CHECK(g.device() == self.device(), "gradient on ", g.device(), " for a tensor on ", self.device());
    self.mutable_grad() = g;
    return 1;
  });
}

int32_t ex_tensor_backward(ex_tensor t, ex_tensor gradient, int32_t retain_graph, int32_t create_graph) {
  return guarded<int32_t>(0, [&]() {
    at::Tensor grad = gradient ? as_tensor(gradient) : at::Tensor();
    as_tensor(t).backward(grad, retain_graph != 0, create_graph != 0);
    return 1;
  });
}

int32_t ex_grad_enabled(void) { return c10::GradMode::is_enabled() ? 1 : 0; }

int32_t ex_set_grad_enabled(int32_t enabled) {
  bool previous = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(enabled != 0);
  return previous ? 1 : 0;
}

int32_t ex_autocast_cpu_enabled(void) { return at::autocast::is_cpu_enabled() ? 1 : 0; }

int32_t ex_autocast_set_cpu_enabled(int32_t enabled) {
  bool previous = at::autocast::is_cpu_enabled();
  at::autocast::set_cpu_enabled(enabled != 0);
  return previous ? 1 : 0;
}

int32_t ex_autocast_cpu_dtype(void) { return static_cast<int32_t>(at::autocast::get_autocast_cpu_dtype()); }

int32_t ex_autocast_set_cpu_dtype(int32_t dtype) {
  auto previous = at::autocast::get_autocast_cpu_dtype();
  at::autocast::set_autocast_cpu_dtype(static_cast<at::ScalarType>(dtype));
  return static_cast<int32_t>(previous);
}

int32_t ex_autocast_increment_nesting(void) { return at::autocast::increment_nesting(); }

int32_t ex_autocast_decrement_nesting(void) { return at::autocast::decrement_nesting(); }

int32_t ex_autocast_clear_cache(void) {
  return guarded<int32_t>(0, [&]() {
    at::autocast::clear_cache();
    return 1;
  });
}

int32_t ex_manual_seed(uint64_t seed) {
  return guarded<int32_t>(0, [&]() {
    auto gen = at::detail::getDefaultCPUGenerator();
    {
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_current_seed(seed);
    }
    auto& hooks = at::detail::getCUDAHooks();
    if (hooks.hasCUDA()) {
      for (int d = 0; d < hooks.getNumGPUs(); ++d) {
        auto cuda_gen = hooks.getDefaultCUDAGenerator(static_cast<c10::DeviceIndex>(d));
        std::lock_guard<std::mutex> lock(cuda_gen.mutex());
        cuda_gen.set_current_seed(seed);
      }
    }
    return 1;
  });
}

ex_generator ex_generator_new(uint64_t seed) {
  return guarded<ex_generator>(nullptr, [&]() -> ex_generator {
    return new at::Generator(at::make_generator<at::CPUGeneratorImpl>(seed));
  });
}

void ex_generator_free(ex_generator g) { delete static_cast<at::Generator*>(g); }

int32_t ex_num_threads(void) { return at::get_num_threads(); }

int32_t ex_set_num_threads(int32_t n) {
  return guarded<int32_t>(0, [&]() {
    at::set_num_threads(n);
    return 1;
  });
}

int32_t ex_cuda_available(void) {
  return guarded<int32_t>(0, [&]() { return at::detail::getCUDAHooks().hasCUDA() ? 1 : 0; });
}

int32_t ex_cuda_device_count(void) {
  return guarded<int32_t>(0, [&]() { return at::detail::getCUDAHooks().getNumGPUs(); });
}

int32_t ex_cuda_synchronize(void) {
  // A blocking device-to-host copy waits for the current stream, where every op is queued. This keeps
  // the shim free of CUDA headers, so the same source builds against CPU-only and CUDA libtorch.
  return guarded<int32_t>(0, [&]() {
    if (!at::detail::getCUDAHooks().hasCUDA()) return 1;
    (void)at::zeros({1}, at::TensorOptions().device(at::kCUDA)).to(at::kCPU);
    return 1;
  });
}

const char* ex_torch_version(void) { return TORCH_VERSION; }

const char* ex_torch_config(void) {
  static thread_local std::string config;
  config = guarded<std::string>(std::string(), []() { return at::show_config(); });
  return config.c_str();
}

}  // extern "C"
