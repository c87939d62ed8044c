// Exemplar native shim: c10d's TCP store and Gloo process group (see exemplar_native.h, "distributed").
//
// Built without EXEMPLAR_HAVE_GLOO (CMake found no Gloo headers), every entry point fails with a message saying so,
// so that the managed side raises a clear exception instead of failing to load the library.
#include "exemplar_native.h"
#include "exemplar_internal.h"

#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#ifdef EXEMPLAR_HAVE_GLOO
#include <c10/core/GradMode.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

using exemplar::as_tensor;
using exemplar::guarded;

#ifdef EXEMPLAR_HAVE_GLOO
namespace {

using StorePtr = c10::intrusive_ptr<c10d::Store>;
using GroupPtr = c10::intrusive_ptr<c10d::ProcessGroupGloo>;

StorePtr& as_store(ex_store s) {
  TORCH_CHECK(s != nullptr, "null store handle");
  return *static_cast<StorePtr*>(s);
}

c10d::ProcessGroupGloo& as_group(ex_process_group pg) {
  TORCH_CHECK(pg != nullptr, "null process group handle");
  return **static_cast<GroupPtr*>(pg);
}

std::chrono::milliseconds checked_timeout(int64_t timeout_ms) {
  TORCH_CHECK(timeout_ms > 0, "the timeout must be positive, got ", timeout_ms, " ms");
  return std::chrono::milliseconds(timeout_ms);
}

// Gloo reads and writes the tensor's memory as one dense block: a strided view goes through a contiguous copy.
at::Tensor dense_cpu(const at::Tensor& t) {
  TORCH_CHECK(t.defined(), "undefined tensor");
  TORCH_CHECK(t.device().is_cpu(), "the Gloo process group takes CPU tensors, got one on ", t.device());
  TORCH_CHECK(t.layout() == at::kStrided, "the Gloo process group takes dense tensors");
  return t.is_contiguous() ? t : t.contiguous();
}

// Copies the collective's result back into tensors that went through a contiguous copy.
void copy_back(std::vector<at::Tensor>& originals, const std::vector<at::Tensor>& dense) {
  // A parameter is a leaf that requires grad: writing its data must not be recorded (nor refused) by autograd.
  c10::AutoGradMode no_grad(false);
  for (size_t k = 0; k < originals.size(); ++k) {
    if (!originals[k].is_same(dense[k])) originals[k].copy_(dense[k]);
  }
}

// Runs body, prefixing the message of any failure with what was being done: Gloo's own messages ("Socket Timeout",
// "Connection closed by peer") do not say which call failed.
template <typename F>
auto with_context(const std::string& context, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const c10::Error& e) {
    throw std::runtime_error(context + ": " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw std::runtime_error(context + ": " + e.what());
  }
}

// Waits for every work item, even after one failed, so that none still writes into the tensors when the call
// returns; then rethrows the first failure.
void wait_all(const char* collective, const c10d::ProcessGroup& group,
              const std::vector<c10::intrusive_ptr<c10d::Work>>& works) {
  std::exception_ptr first;
  for (const auto& work : works) {
    try {
      work->wait();
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  if (first) {
    with_context(std::string(collective) + " on rank " + std::to_string(group.getRank()) + " of " +
                     std::to_string(group.getSize()) + " failed",
                 [&]() { std::rethrow_exception(first); });
  }
}

}  // namespace
#endif

extern "C" {

#ifdef EXEMPLAR_HAVE_GLOO

int32_t ex_distributed_available(void) { return 1; }

ex_store ex_tcp_store_new(const char* host, int32_t port, int32_t world_size, int32_t is_master, int64_t timeout_ms) {
  return guarded<ex_store>(nullptr, [&]() -> ex_store {
    TORCH_CHECK(host != nullptr && *host != '\0', "the store needs a host");
    TORCH_CHECK(port > 0 && port < 65536, "port ", port, " is out of range 1..65535");
    TORCH_CHECK(world_size >= 1, "the world size must be at least 1, got ", world_size);
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(port);
    options.isServer = is_master != 0;
    options.numWorkers = static_cast<std::size_t>(world_size);
    // TCPStore's own wait for the workers overshoots the timeout (measured with 2 s: the master failed only after 5 s,
    // in the next rendezvous) and says nothing of who is missing: count the ranks that joined here instead.
    options.waitWorkers = false;
    auto timeout = checked_timeout(timeout_ms);
    options.timeout = timeout;
    StorePtr store = c10::make_intrusive<c10d::TCPStore>(std::string(host), options);
    const std::string joined_key = "exemplar/joined";
    int64_t joined = store->add(joined_key, 1);
    if (is_master != 0) {
      // The master returns only once every rank has connected, or fails after the timeout.
      auto deadline = std::chrono::steady_clock::now() + timeout;
      while (joined < world_size) {
        TORCH_CHECK(std::chrono::steady_clock::now() < deadline, "timed out after ", timeout_ms,
                    " ms waiting for the ranks to join the store at ", host, ":", port, ": ", joined, " of ",
                    world_size, " joined");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        joined = store->add(joined_key, 0);
      }
    }
    return new StorePtr(std::move(store));
  });
}

void ex_store_free(ex_store s) { delete static_cast<StorePtr*>(s); }

ex_process_group ex_gloo_new(ex_store store, int32_t rank, int32_t world_size, int64_t timeout_ms, const char* hostname) {
  return guarded<ex_process_group>(nullptr, [&]() -> ex_process_group {
    TORCH_CHECK(world_size >= 1, "the world size must be at least 1, got ", world_size);
    TORCH_CHECK(rank >= 0 && rank < world_size, "rank ", rank, " is out of range for a world of ", world_size);
    auto options = c10d::ProcessGroupGloo::Options::create(checked_timeout(timeout_ms));
    std::string name = hostname ? hostname : "";
    options->devices.push_back(name.empty() ? c10d::ProcessGroupGloo::createDefaultDevice()
                                            : c10d::ProcessGroupGloo::createDeviceForHostname(name));
    // The constructor connects every pair of ranks through the store (each rank publishes its address there).
    auto context = "rank " + std::to_string(rank) + " of " + std::to_string(world_size) +
                   " could not connect to the other ranks within " + std::to_string(timeout_ms) + " ms";
    GroupPtr group = with_context(context, [&]() {
      return c10::make_intrusive<c10d::ProcessGroupGloo>(as_store(store), rank, world_size, options);
    });
    return new GroupPtr(std::move(group));
  });
}

void ex_process_group_free(ex_process_group pg) { delete static_cast<GroupPtr*>(pg); }

int32_t ex_pg_rank(ex_process_group pg) {
  return guarded<int32_t>(-1, [&]() { return static_cast<int32_t>(as_group(pg).getRank()); });
}

int32_t ex_pg_size(ex_process_group pg) {
  return guarded<int32_t>(-1, [&]() { return static_cast<int32_t>(as_group(pg).getSize()); });
}

int32_t ex_pg_allreduce_sum(ex_process_group pg, const ex_tensor* tensors, int64_t n) {
  return guarded<int32_t>(0, [&]() {
    auto& group = as_group(pg);
    TORCH_CHECK(n >= 0 && (n == 0 || tensors != nullptr), "bad tensor list");
    std::vector<at::Tensor> originals;
    std::vector<at::Tensor> dense;
    for (int64_t k = 0; k < n; ++k) {
      originals.push_back(as_tensor(tensors[k]));
      dense.push_back(dense_cpu(originals.back()));
    }
    // One collective per tensor: Gloo's list form would sum the list's tensors together (one per local device).
    // The collectives run concurrently under distinct tags; every rank issues them in the same order.
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp::SUM;
    for (auto& t : dense) {
      std::vector<at::Tensor> one{t};
      works.push_back(group.allreduce(one, options));
    }
    wait_all("all-reduce", group, works);
    copy_back(originals, dense);
    return 1;
  });
}

int32_t ex_pg_broadcast(ex_process_group pg, ex_tensor t, int32_t root) {
  return guarded<int32_t>(0, [&]() {
    auto& group = as_group(pg);
    TORCH_CHECK(root >= 0 && root < group.getSize(), "root rank ", root, " is out of range for a world of ", group.getSize());
    std::vector<at::Tensor> originals{as_tensor(t)};
    std::vector<at::Tensor> dense{dense_cpu(originals[0])};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    options.rootTensor = 0;
    wait_all("broadcast", group, {group.broadcast(dense, options)});
    copy_back(originals, dense);
    return 1;
  });
}

int32_t ex_pg_barrier(ex_process_group pg) {
  return guarded<int32_t>(0, [&]() {
    auto& group = as_group(pg);
    wait_all("barrier", group, {group.barrier()});
    return 1;
  });
}

#else  // no Gloo headers at build time

namespace {
constexpr const char* kNoGloo = "this Exemplar native shim was built without Gloo (install libgloo-dev, delete native/build and rebuild)";
}

int32_t ex_distributed_available(void) { return 0; }

ex_store ex_tcp_store_new(const char*, int32_t, int32_t, int32_t, int64_t) {
  exemplar::set_error(kNoGloo);
  return nullptr;
}

void ex_store_free(ex_store) {}

ex_process_group ex_gloo_new(ex_store, int32_t, int32_t, int64_t, const char*) {
  exemplar::set_error(kNoGloo);
  return nullptr;
}

void ex_process_group_free(ex_process_group) {}

int32_t ex_pg_rank(ex_process_group) {
  exemplar::set_error(kNoGloo);
  return -1;
}

int32_t ex_pg_size(ex_process_group) {
  exemplar::set_error(kNoGloo);
  return -1;
}

int32_t ex_pg_allreduce_sum(ex_process_group, const ex_tensor*, int64_t) {
  exemplar::set_error(kNoGloo);
  return 0;
}

int32_t ex_pg_broadcast(ex_process_group, ex_tensor, int32_t) {
  exemplar::set_error(kNoGloo);
  return 0;
}

int32_t ex_pg_barrier(ex_process_group) {
  exemplar::set_error(kNoGloo);
  return 0;
}

#endif

}  // extern "C"
