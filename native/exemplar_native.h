// Exemplar native shim: a thin C ABI over libtorch (ATen + autograd).
//
// Design: every entry point is `extern "C"`, never throws, and reports failure through its return
// value (0 / null / -1). The message of the C++ exception that caused the failure is kept per thread
// and read with ex_last_error(). Tensors cross the boundary as opaque owning handles (heap `at::Tensor`).
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EX_API __attribute__((visibility("default")))

typedef void* ex_tensor;     // owns one at::Tensor (may be undefined only as an op output, reported as null)
typedef void* ex_generator;  // owns one at::Generator
typedef const void* ex_op;   // a resolved c10::OperatorHandle (owned by the shim, lives forever)

// Kinds of boxed operator arguments (must match Exemplar.Torch OpArgKind).
enum ex_arg_kind {
  EX_ARG_NONE = 0,         // None / absent optional
  EX_ARG_DEFAULT = 1,      // use the schema's default value
  EX_ARG_TENSOR = 2,       // p = ex_tensor (null means None)
  EX_ARG_TENSOR_LIST = 3,  // p = ex_tensor*, n = count (null entries allowed for Tensor?[])
  EX_ARG_INT = 4,          // i
  EX_ARG_INT_LIST = 5,     // p = int64_t*, n = count
  EX_ARG_DOUBLE = 6,       // d
  EX_ARG_DOUBLE_LIST = 7,  // p = double*, n = count
  EX_ARG_BOOL = 8,         // i != 0
  EX_ARG_BOOL_LIST = 9,    // p = uint8_t*, n = count
  EX_ARG_SCALAR_TYPE = 10, // i = c10::ScalarType
  EX_ARG_STRING = 11,      // p = UTF-8 bytes, n = length
  EX_ARG_GENERATOR = 12,   // p = ex_generator
  EX_ARG_DEVICE = 13,      // i = c10::DeviceType, n = index (-1 = current)
  EX_ARG_MEMORY_FORMAT = 14, // i = c10::MemoryFormat
};

typedef struct ex_arg {
  int32_t kind;
  int32_t reserved;
  int64_t i;
  double d;
  const void* p;
  int64_t n;
} ex_arg;

// Kinds of operator outputs (must match Exemplar.Torch OpOutputKind).
enum ex_out_kind {
  EX_OUT_NONE = 0,
  EX_OUT_TENSOR = 1,       // handle (null when the op returned an undefined tensor)
  EX_OUT_LIST = 2,         // i = element count; the elements follow as EX_OUT_TENSOR entries
  EX_OUT_INT = 3,          // i
  EX_OUT_DOUBLE = 4,       // d
  EX_OUT_BOOL = 5,         // i
};

typedef struct ex_out {
  int32_t kind;
  int32_t reserved;
  int64_t i;
  double d;
  ex_tensor handle;
} ex_out;

// ---- errors -------------------------------------------------------------------------------------
EX_API const char* ex_last_error(void);

// ---- operators ----------------------------------------------------------------------------------
// Resolves "aten::name" + overload ("" for the default overload). Null on failure.
EX_API ex_op ex_op_find(const char* name, const char* overload);
// Writes the schema text ("aten::add.Tensor(Tensor self, ...) -> Tensor") into buf; returns its length.
EX_API int64_t ex_op_schema(ex_op op, char* buf, int64_t cap);
// Calls op with boxed args. Missing trailing args take the schema defaults. Writes up to `cap`
// flattened outputs into `outs` and returns the total count (-1 on failure). When the count exceeds
// `cap`, the remainder is fetched with ex_take_outputs.
EX_API int64_t ex_op_call(ex_op op, const ex_arg* args, int64_t nargs, ex_out* outs, int64_t cap);
// Copies outputs [from, from+count) of the last ex_op_call on this thread.
EX_API int64_t ex_take_outputs(int64_t from, ex_out* outs, int64_t count);

// ---- tensors ------------------------------------------------------------------------------------
EX_API void ex_tensor_free(ex_tensor t);
EX_API int64_t ex_live_tensors(void);
EX_API ex_tensor ex_tensor_clone_handle(ex_tensor t);  // a second handle to the same tensor
// Copies `nbytes` from `data` into a new contiguous CPU tensor of the given dtype and shape.
EX_API ex_tensor ex_tensor_from_data(const void* data, int64_t nbytes, const int64_t* shape, int32_t ndim, int32_t dtype);
// Copies the tensor's elements (in row-major order, converted to CPU) into `dst` (`nbytes` exactly).
EX_API int32_t ex_tensor_copy_to(ex_tensor t, void* dst, int64_t nbytes);
EX_API int32_t ex_tensor_ndim(ex_tensor t);
EX_API int32_t ex_tensor_shape(ex_tensor t, int64_t* out, int32_t cap);
EX_API int32_t ex_tensor_strides(ex_tensor t, int64_t* out, int32_t cap);
EX_API int32_t ex_tensor_dtype(ex_tensor t);
EX_API int32_t ex_tensor_device(ex_tensor t, int32_t* type, int32_t* index);
EX_API int32_t ex_tensor_requires_grad(ex_tensor t);
EX_API int32_t ex_tensor_set_requires_grad(ex_tensor t, int32_t value);
EX_API int32_t ex_tensor_is_leaf(ex_tensor t);
// Returns the .grad tensor (null with no error when there is none).
EX_API ex_tensor ex_tensor_grad(ex_tensor t);
EX_API int32_t ex_tensor_zero_grad(ex_tensor t);
// Sets the .grad tensor (null clears it); it must match the tensor's shape, dtype and device.
EX_API int32_t ex_tensor_set_grad(ex_tensor t, ex_tensor grad);
EX_API int32_t ex_tensor_backward(ex_tensor t, ex_tensor gradient, int32_t retain_graph, int32_t create_graph);
EX_API int64_t ex_tensor_storage_offset(ex_tensor t);

// ---- runtime ------------------------------------------------------------------------------------
EX_API int32_t ex_grad_enabled(void);
EX_API int32_t ex_set_grad_enabled(int32_t enabled);  // returns the previous state (thread-local)
// CPU autocast (thread-local, as at::autocast): each setter returns the previous value.
EX_API int32_t ex_autocast_cpu_enabled(void);
EX_API int32_t ex_autocast_set_cpu_enabled(int32_t enabled);
EX_API int32_t ex_autocast_cpu_dtype(void);  // a c10::ScalarType
EX_API int32_t ex_autocast_set_cpu_dtype(int32_t dtype);
EX_API int32_t ex_autocast_increment_nesting(void);  // returns the new depth
EX_API int32_t ex_autocast_decrement_nesting(void);  // returns the new depth; 0 when leaving the outermost region
EX_API int32_t ex_autocast_clear_cache(void);        // frees the casts of weights cached inside the region
EX_API int32_t ex_manual_seed(uint64_t seed);
EX_API ex_generator ex_generator_new(uint64_t seed);
EX_API void ex_generator_free(ex_generator g);
EX_API int32_t ex_num_threads(void);
EX_API int32_t ex_set_num_threads(int32_t n);
EX_API int32_t ex_cuda_available(void);
EX_API int32_t ex_cuda_device_count(void);
EX_API int32_t ex_cuda_synchronize(void);
EX_API const char* ex_torch_version(void);
EX_API const char* ex_torch_config(void);

// ---- distributed (c10d over Gloo, CPU tensors) ------------------------------------------------------
// Every call that talks to peers fails (never hangs) once its timeout has passed, e.g. when a peer never joins or is gone.
typedef void* ex_store;          // owns one c10d::Store (a TCPStore)
typedef void* ex_process_group;  // owns one c10d::ProcessGroupGloo

EX_API int32_t ex_distributed_available(void);  // 0 when the shim was built without Gloo's headers
// Connects to (or, with is_master, serves) the key-value store at host:port; the master waits for world_size members.
EX_API ex_store ex_tcp_store_new(const char* host, int32_t port, int32_t world_size, int32_t is_master, int64_t timeout_ms);
EX_API void ex_store_free(ex_store s);
// Joins the group of world_size ranks meeting in `store`; the group keeps the store alive. `hostname` names the
// interface the ranks talk over (empty: the machine's hostname, or the loopback when it does not resolve).
EX_API ex_process_group ex_gloo_new(ex_store store, int32_t rank, int32_t world_size, int64_t timeout_ms, const char* hostname);
EX_API void ex_process_group_free(ex_process_group pg);
EX_API int32_t ex_pg_rank(ex_process_group pg);
EX_API int32_t ex_pg_size(ex_process_group pg);
// Sums each of the n tensors, in place, over all ranks, and waits for the result.
EX_API int32_t ex_pg_allreduce_sum(ex_process_group pg, const ex_tensor* tensors, int64_t n);
// Overwrites the tensor, in place, with rank `root`'s, and waits.
EX_API int32_t ex_pg_broadcast(ex_process_group pg, ex_tensor t, int32_t root);
EX_API int32_t ex_pg_barrier(ex_process_group pg);

#ifdef __cplusplus
}
#endif
